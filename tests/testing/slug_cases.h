// List names and the slugs Twitter's rule makes of them, for the two
// implementations of that rule: the emulator's (what the upstream's v1.1
// lists carry) and mapping's v2::Slugify (perch deriving the slug v2 no
// longer sends). They stay separate on purpose, so the emulator checks perch
// rather than agreeing with it by construction; one table keeps them to the
// same rule.
#ifndef PERCH_TESTS_TESTING_SLUG_CASES_H_
#define PERCH_TESTS_TESTING_SLUG_CASES_H_

namespace perch::testing {

struct SlugCase {
  const char* name;
  const char* slug;
};

inline constexpr SlugCase kSlugCases[] = {
    {"Official Twitter Accounts", "official-twitter-accounts"},
    {"recsyslabs Pilot Partners", "recsyslabs-pilot-partners"},
    {"  Hello,  World!! ", "hello-world"},
    {"  --Hello,   World!! ", "hello-world"},
    {"snake_case 2024", "snake_case-2024"},
    {"snake_case_2024", "snake_case_2024"},
    {"already-a-slug", "already-a-slug"},
    {"AI/ML/NLP", "ai-ml-nlp"},
    {"Caf\xC3\xA9 cr\xC3\xA8me", "caf-cr-me"},  // UTF-8 é, è
    {"Caf\xC3\xA9 Owners", "caf-owners"},
    {"\xE2\x9C\xA8", ""},  // only non-ASCII
    {"---", ""},
    {"", ""},
    {"A", "a"},
};

}  // namespace perch::testing

#endif  // PERCH_TESTS_TESTING_SLUG_CASES_H_
