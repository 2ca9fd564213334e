package io.junction.bench.targets;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Every live child process of this JVM, so one shutdown hook (installed on first use) can end them when the run is
 * interrupted or fails. Thread-safe: the set is guarded by the class monitor.
 */
final class ChildProcesses {
    private static final Set<ChildProcess> LIVE = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private ChildProcesses() {
    }

    static synchronized void register(ChildProcess child) {
        if (!hookInstalled) {
            Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::closeAll, "bench-child-cleanup"));
            hookInstalled = true;
        }
        LIVE.add(child);
    }

    static synchronized void unregister(ChildProcess child) {
        LIVE.remove(child);
    }

    private static void closeAll() {
        List<ChildProcess> snapshot;
        synchronized (ChildProcesses.class) {
            snapshot = new ArrayList<>(LIVE);
        }
        snapshot.forEach(ChildProcess::close);
    }
}
