# perch-server's RSS, open fds and threads over a soak (scripts/soak --plots).
# Input: perch-soak's samples.tsv (t_s rss_mib fds threads token_requests
# phase); `samples` and `out` (a folder) come from gnuplot -e.
set terminal pngcairo size 900,360 font 'sans,10'
set grid
set key left top
set xlabel 'minutes since the load started'
set style data lines
set xrange [0:*]

set output out.'/rss.png'
set title 'perch-server RSS during the soak'
set ylabel 'MiB'
set yrange [0:*]
plot samples using ($1/60):2 title 'VmRSS'

set output out.'/fds.png'
set title 'perch-server open file descriptors during the soak'
set ylabel 'descriptors'
plot samples using ($1/60):3 title 'entries of /proc/<pid>/fd'

set output out.'/threads.png'
set title 'perch-server threads during the soak'
set ylabel 'threads'
plot samples using ($1/60):4 title 'Threads (/proc/<pid>/status)'
