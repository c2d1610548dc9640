package warm

import "syscall"

// changeTime is the inode change time in nanoseconds.
func changeTime(st *syscall.Stat_t) int64 { return st.Ctim.Sec*1e9 + st.Ctim.Nsec }
