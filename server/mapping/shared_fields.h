// Internal to mapping/: the members that v1.1 and v2 bodies name alike and
// map alike, one table each, which both dialects' readers use beside their
// own tables (field_table.h).
#ifndef PERCH_SERVER_MAPPING_SHARED_FIELDS_H_
#define PERCH_SERVER_MAPPING_SHARED_FIELDS_H_

#include "perch/v1/resources.pb.h"
#include "server/mapping/field_table.h"

namespace perch::mapping::internal {

inline constexpr Field<perch::v1::User> kUserProfileFields[] = {
    {FieldKind::kString, ".name", &perch::v1::User::mutable_name},
    {FieldKind::kString, ".description", &perch::v1::User::mutable_description},
    {FieldKind::kString, ".location", &perch::v1::User::mutable_location},
    {FieldKind::kString, ".url", &perch::v1::User::mutable_url},
    {FieldKind::kFlag, ".verified", &perch::v1::User::set_verified},
    {FieldKind::kFlag, ".protected", &perch::v1::User::set_protected_},
};

inline constexpr Field<perch::v1::Tweet> kTweetSharedFields[] = {
    {FieldKind::kString, ".lang", &perch::v1::Tweet::mutable_lang},
    {FieldKind::kString, ".source", &perch::v1::Tweet::mutable_source},
    {FieldKind::kFlag, ".possibly_sensitive",
     &perch::v1::Tweet::set_possibly_sensitive},
};

inline constexpr Field<perch::v1::UrlEntity> kUrlEntityFields[] = {
    {FieldKind::kString, ".url", &perch::v1::UrlEntity::mutable_url},
    {FieldKind::kString, ".expanded_url",
     &perch::v1::UrlEntity::mutable_expanded_url},
    {FieldKind::kString, ".display_url",
     &perch::v1::UrlEntity::mutable_display_url},
};

inline constexpr Field<perch::v1::TwitterList> kListSharedFields[] = {
    {FieldKind::kString, ".name", &perch::v1::TwitterList::mutable_name},
    {FieldKind::kString, ".description",
     &perch::v1::TwitterList::mutable_description},
    {FieldKind::kCount, ".member_count",
     &perch::v1::TwitterList::set_member_count},
};

}  // namespace perch::mapping::internal

#endif  // PERCH_SERVER_MAPPING_SHARED_FIELDS_H_
