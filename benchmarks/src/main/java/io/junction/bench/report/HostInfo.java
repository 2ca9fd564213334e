package io.junction.bench.report;

import io.junction.core.forward.Transports;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Where a run happened, for the report header and the JSON file. Immutable.
 *
 * @param cores      available processors
 * @param cpuModel   CPU model name from /proc/cpuinfo, or "unknown"
 * @param kernel     os.name and os.version
 * @param jdk        java.vm.name and java.version
 * @param transport  Netty transport of the load generator (epoll or nio)
 * @param pinned     whether proxies and the generator were pinned to separate CPUs
 * @param proxyThreads worker threads asked of each proxy (0 = its default)
 * @param clientThreads load-generator event-loop threads
 * @param loadAverage  1-minute load average when the run started (other work on the machine skews results)
 */
public record HostInfo(int cores, String cpuModel, String kernel, String jdk, String transport, boolean pinned,
                       int proxyThreads, int clientThreads, double loadAverage) {

    public static HostInfo current(boolean pinned, int proxyThreads, int clientThreads) {
        return new HostInfo(Runtime.getRuntime().availableProcessors(), readCpuModel(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                Transports.name(), pinned, proxyThreads, clientThreads, readLoadAverage());
    }

    private static String readCpuModel() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // Not Linux; the report says unknown.
        }
        return "unknown";
    }

    private static double readLoadAverage() {
        try {
            String s = Files.readString(Paths.get("/proc/loadavg"), StandardCharsets.US_ASCII);
            return Double.parseDouble(s.split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Whether other work was running when the run started (load average above half the cores). */
    public boolean busy() {
        return loadAverage > cores * 0.5;
    }

    public String describe() {
        return cores + " cores (" + cpuModel + "), " + kernel + ", " + jdk + ", generator transport " + transport
                + ", pinning " + (pinned ? "on (proxy CPU 0, generator CPU 1)" : "off")
                + ", proxy threads " + (proxyThreads == 0 ? "auto" : proxyThreads)
                + ", generator threads " + clientThreads + ", load average at start "
                + (Double.isNaN(loadAverage) ? "unknown" : String.format(java.util.Locale.ROOT, "%.2f", loadAverage));
    }
}
