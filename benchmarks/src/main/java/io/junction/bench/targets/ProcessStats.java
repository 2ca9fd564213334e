package io.junction.bench.targets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time and resident memory of a process and all its descendants (nginx and HAProxy may fork workers), read
 * from {@code /proc}. Thread-safe (stateless).
 */
public final class ProcessStats {
    /** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every mainstream Linux build. */
    static final double TICKS_PER_SECOND = 100.0;

    private ProcessStats() {
    }

    /**
     * One sample.
     *
     * @param cpuSeconds user + system CPU seconds of the tree
     * @param rssKb      resident set size of the tree (sum of VmRSS), in KiB
     */
    public record Sample(double cpuSeconds, long rssKb) {
    }

    /** Samples {@code pid} and its descendants; an empty sample when /proc is unavailable or the process is gone. */
    public static Sample sample(long pid) {
        double ticks = 0;
        long rss = 0;
        for (long p : tree(pid)) {
            ticks += cpuTicks(p);
            rss += rssKb(p);
        }
        return new Sample(ticks / TICKS_PER_SECOND, rss);
    }

    /** Samples this JVM (the load generator and in-process backends). */
    public static Sample self() {
        long pid = ProcessHandle.current().pid();
        return new Sample(cpuTicks(pid) / TICKS_PER_SECOND, rssKb(pid));
    }

    static List<Long> tree(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Paths.get("/proc"), "[0-9]*")) {
            for (Path d : dirs) {
                long pid = Long.parseLong(d.getFileName().toString());
                long ppid = parentOf(pid);
                if (ppid > 0) {
                    children.computeIfAbsent(ppid, k -> new ArrayList<>()).add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of(root);
        }
        List<Long> out = new ArrayList<>();
        out.add(root);
        for (int i = 0; i < out.size(); i++) {
            out.addAll(children.getOrDefault(out.get(i), List.of()));
        }
        return out;
    }

    /** Fields after the ")" that ends the command name; index 0 is field 3 (state) of proc(5). */
    static String[] statFields(String stat) {
        int close = stat.lastIndexOf(')');
        return stat.substring(close + 2).trim().split(" ");
    }

    static long cpuTicksFromStat(String stat) {
        String[] f = statFields(stat);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14) + stime (15)
    }

    private static long parentOf(long pid) {
        String stat = read(Paths.get("/proc", Long.toString(pid), "stat"));
        return stat == null ? -1 : Long.parseLong(statFields(stat)[1]);
    }

    private static long cpuTicks(long pid) {
        String stat = read(Paths.get("/proc", Long.toString(pid), "stat"));
        return stat == null ? 0 : cpuTicksFromStat(stat);
    }

    static long rssKbFromStatus(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        return 0;
    }

    private static long rssKb(long pid) {
        String status = read(Paths.get("/proc", Long.toString(pid), "status"));
        return status == null ? 0 : rssKbFromStatus(status);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
