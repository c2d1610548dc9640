package warm

import "syscall"

// changeTime is the inode change time in nanoseconds.
func changeTime(st *syscall.Stat_t) int64 { return st.Ctimespec.Sec*1e9 + st.Ctimespec.Nsec }
