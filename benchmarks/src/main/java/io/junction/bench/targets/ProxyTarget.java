package io.junction.bench.targets;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * A proxy the harness runs as a child process: writes the flavor's config into the work folder, launches it
 * (optionally pinned with taskset), waits until it serves its port and records the launch-to-listening time.
 * Control-thread only.
 */
public final class ProxyTarget implements Target {
    private final ProxyFlavor flavor;
    private ChildProcess child;
    private long launchMillis = -1;

    public ProxyTarget(ProxyFlavor flavor) {
        this.flavor = flavor;
    }

    @Override
    public String name() {
        return flavor.name();
    }

    /**
     * Launches the proxy; a process from an earlier start is stopped first, so calling this again relaunches it
     * (on a new port, with a fresh config and a new launch time).
     */
    @Override
    public InetSocketAddress start(TargetContext context) throws TargetUnavailableException, InterruptedException {
        close();
        launchMillis = -1;
        flavor.check(context);
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                FreePorts.pick(context.protocol()));
        ProxyParams params = new ProxyParams(listen, context.backend(), context.protocol(), context.proxyThreads(),
                context.workDir());
        Path config = context.workDir().resolve(flavor.configFileName());
        List<String> command = new ArrayList<>();
        if (context.pinCpu() >= 0) {
            command.addAll(List.of("taskset", "-c", Integer.toString(context.pinCpu())));
        }
        try {
            Files.writeString(config, flavor.renderConfig(params), StandardCharsets.UTF_8);
            command.addAll(flavor.command(config, params));
            child = ChildProcess.start(name(), command, context.workDir().resolve(name() + ".log"));
        } catch (IOException e) {
            throw new TargetUnavailableException(name() + ": could not start: " + e.getMessage());
        }
        try {
            long ready = Readiness.await(child, listen, context.protocol(), flavor.startTimeout());
            launchMillis = TimeUnit.NANOSECONDS.toMillis(ready - child.launchedNanos());
        } catch (TargetUnavailableException | InterruptedException e) {
            close();
            throw e;
        }
        return listen;
    }

    @Override
    public OptionalLong pid() {
        return child == null ? OptionalLong.empty() : OptionalLong.of(child.pid());
    }

    @Override
    public long launchMillis() {
        return launchMillis;
    }

    /** Whether the process is still running (a crash mid-run shows up as errors and is reported). */
    public boolean alive() {
        return child != null && child.isAlive();
    }

    @Override
    public void close() {
        if (child != null) {
            child.close();
            child = null;
        }
    }
}
