"""CPU time of other processes, to the nanosecond, for the benchmarks' daemon CPU rows.

/proc/PID/stat counts a process's CPU in clock ticks (10 ms here), too coarse for a
measurement of a second or less; the kernel's per-process CPU clock (what
clock_getcpuclockid(3) returns: ((~pid) << 3) | 2, CPUCLOCK_SCHED) counts every thread of
the process, the ones that have exited included, in nanoseconds.

As a module: process_cpu_ns(pid). As a script: one request per stdin line, {"pid": PID}, one
JSON line back, {"cpu_ns": N}: that process's CPU time so far (user + system, all threads),
or {"error": MESSAGE} when it cannot be read (no such process); the script ends at the end
of stdin.
"""
import json
import sys
import time


def process_cpu_ns(pid):
    """CPU time process pid has used so far, in nanoseconds."""
    return time.clock_gettime_ns(((~pid) << 3) | 2)


def main():
    for line in sys.stdin:
        pid = json.loads(line)["pid"]
        try:
            reply = {"cpu_ns": process_cpu_ns(pid)}
        except OSError as error:
            reply = {"error": "cannot read the CPU time of process %d: %s" % (pid, error)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
