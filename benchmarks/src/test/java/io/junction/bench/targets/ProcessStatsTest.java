package io.junction.bench.targets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessStatsTest {
    @Test
    void cpuTicksAreUtimePlusStimeEvenWithSpacesInTheCommandName() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (nginx: worker) S 4241 4241 4241 0 -1 4194624 100 0 0 0 1234 567 0 0 20 0 1 0 9 0 0";
        assertThat(ProcessStats.cpuTicksFromStat(stat)).isEqualTo(1234 + 567);
        assertThat(ProcessStats.statFields(stat)[1]).isEqualTo("4241");
    }

    @Test
    void rssIsReadFromVmRss() {
        String status = "Name:\thaproxy\nVmPeak:\t  99999 kB\nVmRSS:\t   15360 kB\nThreads:\t2\n";
        assertThat(ProcessStats.rssKbFromStatus(status)).isEqualTo(15360);
        assertThat(ProcessStats.rssKbFromStatus("Name:\tkthread\n")).isZero();
    }

    @Test
    void samplesThisJvm() {
        ProcessStats.Sample self = ProcessStats.self();
        assertThat(self.rssKb()).isPositive();
        assertThat(self.cpuSeconds()).isPositive();
        assertThat(ProcessStats.tree(ProcessHandle.current().pid())).startsWith(ProcessHandle.current().pid());
    }
}
