package io.junction.bench.run;

import io.junction.bench.backend.BackendServer;
import io.junction.bench.load.LoadControl;
import io.junction.bench.load.LoadGenerator;
import io.junction.bench.load.LoadGenerators;
import io.junction.bench.load.LoadSpec;
import io.junction.bench.load.Measurement;
import io.junction.bench.load.SecondBuckets;
import io.junction.bench.load.Tally;
import io.junction.bench.report.ModeReport;
import io.junction.bench.report.Progress;
import io.junction.bench.report.RoundResult;
import io.junction.bench.report.Summaries;
import io.junction.bench.report.TargetSummary;
import io.junction.bench.targets.ProcessStats;
import io.junction.bench.targets.ProxyTarget;
import io.junction.bench.targets.Target;
import io.junction.bench.targets.TargetContext;
import io.junction.bench.targets.TargetUnavailableException;
import io.junction.core.forward.Transports;
import io.netty.channel.EventLoopGroup;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@link RunPlan}: backend up, targets up (optional ones that cannot run are skipped with their reason),
 * then rounds × targets interleaved, each a warm-up and a measurement window, then everything down again, also on
 * failure. Control-thread only: one thread drives a run; the traffic runs on the generator's event loops.
 */
public final class Runner {
    private static final Logger log = LoggerFactory.getLogger(Runner.class);
    private static final long HISTOGRAM_MAX = TimeUnit.SECONDS.toNanos(60);

    private final RunPlan plan;
    private final EventLoopGroup clientGroup;
    private final Progress progress;

    /**
     * @param clientGroup event loops of the load generator (shared across modes of one invocation)
     */
    public Runner(RunPlan plan, EventLoopGroup clientGroup, Progress progress) {
        this.plan = plan;
        this.clientGroup = clientGroup;
        this.progress = progress;
    }

    public ModeReport run() throws RunFailedException, InterruptedException {
        LoadSpec spec = plan.spec();
        Path workDir = plan.resultsDir().resolve(spec.mode().cliName());
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new RunFailedException("cannot create " + workDir + ": " + e.getMessage(), e);
        }
        EventLoopGroup backendGroup = Transports.newEventLoopGroup(1, "bench-backend");
        List<Target> started = new ArrayList<>();
        try (BackendServer backend = startBackend(backendGroup)) {
            TargetContext context = new TargetContext(spec.mode().protocol(), backend.address(), workDir,
                    plan.proxyThreads(), plan.pinCpu());
            Map<String, String> skipped = new LinkedHashMap<>();
            Map<Target, InetSocketAddress> addresses = new LinkedHashMap<>();
            for (Target t : plan.targets()) {
                progress.status(spec.mode().cliName() + ": starting " + t.name());
                try {
                    addresses.put(t, t.start(context));
                    started.add(t);
                    if (t.launchMillis() >= 0) {
                        InetSocketAddress a = addresses.get(t);
                        log.info("target={} ready address={}:{} launchToListeningMillis={}", t.name(),
                                a.getAddress().getHostAddress(), a.getPort(), t.launchMillis());
                    }
                } catch (TargetUnavailableException e) {
                    if (plan.required().contains(t.name()) && !e.unsupported()) {
                        throw new RunFailedException(e.getMessage());
                    }
                    skipped.put(t.name(), e.getMessage());
                    log.warn("skip target={} reason=\"{}\"", t.name(), e.getMessage().replace('\n', ' '));
                }
            }
            if (addresses.isEmpty()) {
                throw new RunFailedException(spec.mode().cliName() + ": no target could run: " + skipped);
            }
            List<RoundResult> results = plan.fromStart()
                    ? roundsFromStart(addresses, context, backend.address())
                    : rounds(addresses);
            return report(addresses, results, skipped);
        } finally {
            for (Target t : started) {
                t.close();
            }
            backendGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private BackendServer startBackend(EventLoopGroup group) throws RunFailedException, InterruptedException {
        try {
            return BackendServer.start(plan.spec().backend(), plan.backendPort(), group, plan.spec().backendSizes());
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new RunFailedException("backend " + plan.spec().backend().cliName() + " cannot bind"
                    + " 127.0.0.1:" + plan.backendPort() + ": " + e.getMessage(), e);
        }
    }

    private List<RoundResult> rounds(Map<Target, InetSocketAddress> addresses) throws InterruptedException {
        if (!plan.prime().isZero()) {
            for (Map.Entry<Target, InetSocketAddress> e : addresses.entrySet()) {
                prime(e.getKey(), e.getValue());
            }
        }
        List<RoundResult> results = new ArrayList<>();
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Map.Entry<Target, InetSocketAddress> e : addresses.entrySet()) {
                results.add(measure(e.getKey(), e.getValue(), round));
            }
        }
        return results;
    }

    /**
     * {@code --from-start}: every proxy the harness runs is stopped after its first start (which only proved that
     * it can run here), then launched afresh right before each of its windows and stopped right after it, so it
     * neither gets warmed up by an earlier round nor takes CPU from the other targets' windows. Only the generator
     * and the backend are primed, straight against the backend, so the first window does not measure the harness's
     * own JIT compilation.
     */
    private List<RoundResult> roundsFromStart(Map<Target, InetSocketAddress> addresses, TargetContext context,
                                              InetSocketAddress backend)
            throws InterruptedException, RunFailedException {
        for (Target t : addresses.keySet()) {
            if (t instanceof ProxyTarget) {
                t.close();
            }
        }
        if (!plan.prime().isZero()) {
            prime("generator (straight to the backend)", backend);
        }
        List<RoundResult> results = new ArrayList<>();
        for (int round = 1; round <= plan.rounds(); round++) {
            for (Map.Entry<Target, InetSocketAddress> e : addresses.entrySet()) {
                Target t = e.getKey();
                if (!(t instanceof ProxyTarget)) {
                    results.add(measure(t, e.getValue(), round));
                    continue;
                }
                progress.status(plan.spec().mode().cliName() + " round " + round + ": launching " + t.name());
                InetSocketAddress address;
                try {
                    address = t.start(context);
                } catch (TargetUnavailableException ex) {
                    throw new RunFailedException(t.name() + " did not come up again in round " + round + ": "
                            + ex.getMessage());
                }
                log.info("target={} round={} relaunched address=127.0.0.1:{} launchToListeningMillis={}", t.name(),
                        round, address.getPort(), t.launchMillis());
                try {
                    results.add(measure(t, address, round));
                } finally {
                    t.close();
                }
            }
        }
        return results;
    }

    /** Unrecorded load so the first measured round does not include JIT compilation. */
    private void prime(Target target, InetSocketAddress address) throws InterruptedException {
        prime(target.name(), address);
    }

    private void prime(String what, InetSocketAddress address) throws InterruptedException {
        LoadSpec spec = plan.spec();
        LoadControl control = new LoadControl(spec.maxOps());
        Tally tally = new Tally();
        progress.warmup(String.format("%s priming %-9s", spec.mode().cliName(), what), spec.mode(), tally,
                System.nanoTime() + plan.prime().toNanos());
        LoadGenerator generator = LoadGenerators.create(spec, address, clientGroup, control, tally);
        generator.start();
        control.awaitExhausted(plan.prime());
        generator.stop(plan.drain());
    }

    private RoundResult measure(Target target, InetSocketAddress address, int round) throws InterruptedException {
        LoadSpec spec = plan.spec();
        LoadControl control = new LoadControl(spec.maxOps());
        Tally tally = new Tally();
        String label = String.format("%s round %d/%d %-9s", spec.mode().cliName(), round, plan.rounds(),
                target.name());
        progress.warmup(label, spec.mode(), tally, System.nanoTime() + spec.warmup().toNanos());
        LoadGenerator generator = LoadGenerators.create(spec, address, clientGroup, control, tally);
        if (!plan.fromStart()) {
            generator.start();
            control.awaitExhausted(spec.warmup());
        }

        OptionalLong pid = target.pid();
        long t0 = System.nanoTime();
        ProcessStats.Sample proxy0 = pid.isPresent() ? ProcessStats.sample(pid.getAsLong()) : null;
        ProcessStats.Sample self0 = ProcessStats.self();
        control.openWindow(t0);
        long end = t0 + spec.duration().toNanos();
        progress.measure(t0, end);
        if (plan.fromStart()) {
            // No warm-up: the window opens as the first connections are made, right after the proxy listens.
            tally.countPerSecond(t0, SecondBuckets.bucketsFor(spec.duration()));
            generator.start();
        }
        boolean exhausted = control.awaitExhausted(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        long t1 = System.nanoTime();
        control.closeWindow(t1);
        ProcessStats.Sample proxy1 = pid.isPresent() ? ProcessStats.sample(pid.getAsLong()) : null;
        ProcessStats.Sample self1 = ProcessStats.self();
        if (exhausted) {
            log.warn("target={} round={} reason=\"op budget {} spent before the window ended\"", target.name(),
                    round, spec.maxOps());
        }
        progress.status(label + "  draining");
        generator.stop(plan.drain());
        Measurement m = tally.snapshot(t1 - t0);
        boolean alive = !(target instanceof ProxyTarget p) || p.alive();
        if (!alive) {
            log.warn("target={} round={} reason=\"proxy process exited during the run\"", target.name(), round);
        }
        return new RoundResult(target.name(), round, m,
                proxy0 == null ? Double.NaN : proxy1.cpuSeconds() - proxy0.cpuSeconds(),
                proxy1 == null ? -1 : proxy1.rssKb(), self1.cpuSeconds() - self0.cpuSeconds(), alive,
                plan.fromStart() ? target.launchMillis() : -1);
    }

    private ModeReport report(Map<Target, InetSocketAddress> addresses, List<RoundResult> results,
                              Map<String, String> skipped) {
        List<TargetSummary> rows = new ArrayList<>();
        Map<String, Histogram> latency = new LinkedHashMap<>();
        Map<String, Histogram> connect = new LinkedHashMap<>();
        List<String> order = new ArrayList<>();
        for (Target t : addresses.keySet()) {
            order.add(t.name());
            List<RoundResult> mine = results.stream().filter(r -> r.target().equals(t.name())).toList();
            rows.add(Summaries.summarize(plan.spec().mode(), t.name(), mine,
                    plan.fromStart() ? Summaries.medianLaunchMillis(mine, t.launchMillis()) : t.launchMillis()));
            Histogram lat = new Histogram(HISTOGRAM_MAX, 3);
            Histogram con = new Histogram(HISTOGRAM_MAX, 3);
            for (RoundResult r : mine) {
                lat.add(r.measurement().latency());
                con.add(r.measurement().connect());
            }
            if (lat.getTotalCount() > 0) {
                latency.put(t.name(), lat);
            }
            if (con.getTotalCount() > 0) {
                connect.put(t.name(), con);
            }
        }
        return new ModeReport(plan.spec(), plan.rounds(), plan.prime(), order,
                Summaries.withRatios(plan.spec().mode(), rows), results, skipped, latency, connect, plan.fromStart());
    }
}
