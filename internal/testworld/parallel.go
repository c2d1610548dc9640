package testworld

import (
	"flag"
	"strconv"
)

// DefaultParallel raises go test's -parallel (GOMAXPROCS unless given) to
// n when the command line does not set it. It is for packages whose
// parallel tests mostly wait — for credentials to expire in real time, for
// children — rather than compute: on two cores they would otherwise wait
// two at a time. Call it from TestMain before m.Run.
func DefaultParallel(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given && flag.Lookup("test.parallel") != nil {
		flag.Set("test.parallel", strconv.Itoa(n))
	}
}
