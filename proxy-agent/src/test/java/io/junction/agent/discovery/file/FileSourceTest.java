package io.junction.agent.discovery.file;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.junction.agent.config.ConfigException;
import io.junction.agent.config.ConfigLoader;
import io.junction.agent.config.HostResolver;
import io.junction.core.discovery.DiscoveryListener;
import io.junction.core.discovery.ServiceDefinition;
import io.junction.core.model.Endpoint;
import io.junction.core.model.ServiceKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class FileSourceTest {
    /** The brief's bound for a change to arrive, with head room for a loaded 2-core machine. */
    private static final long DELIVERY_MS = 2_000;
    /** How long "nothing arrives" is observed after the reload that decided it has completed. */
    private static final long QUIET_MS = 300;

    @TempDir
    Path dir;

    private final List<FileSource> sources = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    @AfterEach
    void closeSources() {
        sources.forEach(FileSource::close);
        cleanups.forEach(Runnable::run);
    }

    /** What the source told the listener, in order. */
    record Event(String kind, String source, Map<ServiceKey, ServiceDefinition> services, String message,
                 Throwable cause) {
    }

    static final class Recorder implements DiscoveryListener {
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

        @Override
        public void onReplace(String source, Map<ServiceKey, ServiceDefinition> services) {
            events.add(new Event("replace", source, services, null, null));
        }

        @Override
        public void onChange(String source, ServiceKey key, ServiceDefinition definition) {
            events.add(new Event("change", source, null, null, null));
        }

        @Override
        public void onError(String source, String message, Throwable cause) {
            events.add(new Event("error", source, null, message, cause));
        }

        Event next() throws InterruptedException {
            Event e = events.poll(DELIVERY_MS, TimeUnit.MILLISECONDS);
            assertThat(e).as("an event within %d ms", DELIVERY_MS).isNotNull();
            return e;
        }

        void assertQuiet() throws InterruptedException {
            assertThat(events.poll(QUIET_MS, TimeUnit.MILLISECONDS)).isNull();
        }
    }

    private static String config(int... endpointPorts) {
        StringBuilder sb = new StringBuilder("""
                services:
                  - name: demo
                    listen: 127.0.0.1:10080
                    endpoints:
                """);
        for (int port : endpointPorts) {
            sb.append("      - 127.0.0.1:").append(port).append('\n');
        }
        if (endpointPorts.length == 0) {
            sb.append("      []\n");
        }
        return sb.toString();
    }

    private static List<Integer> ports(Event e) {
        assertThat(e.kind()).isEqualTo("replace");
        return e.services().values().iterator().next().endpoints().stream()
                .map(Endpoint::address).map(a -> a.getPort()).toList();
    }

    private FileSource start(Path file, Recorder recorder) {
        FileSource source = new FileSource(file);
        sources.add(source);
        source.start(recorder);
        return source;
    }

    private void replaceAtomically(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".junction", ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void initialLoadIsDeliveredBeforeStartReturns() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081, 18082));
        Recorder recorder = new Recorder();

        FileSource source = start(file, recorder);

        Event first = recorder.events.poll();
        assertThat(first).isNotNull();
        assertThat(first.source()).isEqualTo("file:" + file).isEqualTo(source.name());
        assertThat(ports(first)).containsExactly(18081, 18082);
        assertThat(source.lastGood().services()).isEqualTo(first.services());
        assertThat(source.reloadCount()).isEqualTo(1);
        assertThat(source.failureCount()).isZero();
        assertThat(source.thread().isDaemon()).isTrue();
        assertThat(source.thread().getName()).startsWith("junction-file-source");
    }

    @Test
    void virtualAddressesAreDeliveredAndAChangeToThemIsAChange() throws Exception {
        Path file = dir.resolve("junction.yaml");
        String yaml = """
                nodeMode: {enabled: true}
                services:
                  - name: web
                    virtualAddress: %s
                    endpoints: [127.0.0.1:18081]
                """;
        Files.writeString(file, yaml.formatted("10.96.0.10:80"));
        Recorder recorder = new Recorder();
        start(file, recorder);

        Event first = recorder.next();
        assertThat(first.services().values()).singleElement().satisfies(d -> assertThat(d.virtualAddresses())
                .containsExactly(new java.net.InetSocketAddress("10.96.0.10", 80)));

        replaceAtomically(file, yaml.formatted("[10.96.0.11:80, \"[fd00::11]:80\"]"));

        Event second = recorder.next();
        assertThat(second.services().values()).singleElement().satisfies(d -> assertThat(d.virtualAddresses())
                .containsExactly(new java.net.InetSocketAddress("10.96.0.11", 80),
                        new java.net.InetSocketAddress(java.net.InetAddress.getByName("fd00::11"), 80)));
    }

    @Test
    void atomicReplaceAndInPlaceRewriteAreDelivered() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        Recorder recorder = new Recorder();
        start(file, recorder);
        assertThat(ports(recorder.next())).containsExactly(18081);

        replaceAtomically(file, config(18081, 18082));
        assertThat(ports(recorder.next())).containsExactly(18081, 18082);

        Files.writeString(file, config(18083));
        assertThat(ports(recorder.next())).containsExactly(18083);
        recorder.assertQuiet();
    }

    @Test
    void brokenEditIsReportedAndKeepsTheLastGoodStateUntilFixed() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        Recorder recorder = new Recorder();
        FileSource source = start(file, recorder);
        var good = recorder.next().services();

        replaceAtomically(file, config(18081).replace("listen: 127.0.0.1:10080", "listen: 127.0.0.1:0"));
        Event error = recorder.next();
        assertThat(error.kind()).isEqualTo("error");
        assertThat(error.message()).contains(file + ":3: services[0].listen:", "port 0 is out of range");
        assertThat(error.cause()).isInstanceOf(ConfigException.class);
        assertThat(source.failureCount()).isEqualTo(1);
        assertThat(source.lastGood().services()).isEqualTo(good);
        recorder.assertQuiet();

        replaceAtomically(file, config(18084));
        assertThat(ports(recorder.next())).containsExactly(18084);
        assertThat(source.failureCount()).isEqualTo(1);
    }

    @Test
    void editThatLeavesServicesAloneEmitsNothing() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        Recorder recorder = new Recorder();
        FileSource source = start(file, recorder);
        recorder.next();

        replaceAtomically(file, "# a comment\nproxy: {accessLog: false}\n" + config(18081));

        await().atMost(Duration.ofMillis(DELIVERY_MS)).until(() -> source.reloadCount() == 2);
        assertThat(source.lastGood().accessLog()).isFalse();
        recorder.assertQuiet();
    }

    @Test
    void deletedFileIsAnErrorAndTheStateIsKept() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        Recorder recorder = new Recorder();
        FileSource source = start(file, recorder);
        recorder.next();

        Files.delete(file);
        Event error = recorder.next();
        assertThat(error.kind()).isEqualTo("error");
        assertThat(error.message()).contains("file not found");
        assertThat(source.lastGood().services()).hasSize(1);

        Files.writeString(file, config(18085));
        assertThat(ports(recorder.next())).containsExactly(18085);
    }

    @Test
    void configMapSymlinkSwapIsDelivered() throws Exception {
        // The layout kubelet writes: file -> ..data/file, ..data -> ..<timestamp>; an update swaps ..data.
        Path v1 = Files.createDirectory(dir.resolve("..2024_01_01"));
        Files.writeString(v1.resolve("junction.yaml"), config(18081));
        Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
        Path file = dir.resolve("junction.yaml");
        Files.createSymbolicLink(file, Path.of("..data", "junction.yaml"));
        Recorder recorder = new Recorder();
        start(file, recorder);
        assertThat(ports(recorder.next())).containsExactly(18081);

        Path v2 = Files.createDirectory(dir.resolve("..2024_01_02"));
        Files.writeString(v2.resolve("junction.yaml"), config(18086));
        Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
        Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(v1.resolve("junction.yaml"));
        Files.delete(v1);

        assertThat(ports(recorder.next())).containsExactly(18086);
    }

    @Test
    void busyNeighbourFileCostsNoReadsAndNoWakeups() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        // An old file, as a config usually is: its stat can be trusted (a fresh one is re-read, see below).
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        Recorder recorder = new Recorder();
        FileSource source = new FileSource(file, new ConfigLoader(), Duration.ofMillis(100), Duration.ofMillis(10));
        sources.add(source);
        source.start(recorder);
        recorder.next();
        long reads = source.readCount();
        long wakeups = source.watcherWakeups();

        // About 10,000 lines/s into a log next to the config for a second, several polls long.
        int lines = 0;
        try (FileChannel log = FileChannel.open(dir.resolve("app.log"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() - end < 0 && lines < 20_000) {
                log.write(ByteBuffer.wrap(("request " + lines + " served\n").getBytes(StandardCharsets.UTF_8)));
                if (++lines % 10 == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }

        assertThat(lines).isGreaterThan(1_000);
        assertThat(source.readCount() - reads).as("config file reads").isZero();
        // Creating app.log is one event; the writes must not wake the watcher at all.
        assertThat(source.watcherWakeups() - wakeups).as("watcher wake-ups").isLessThanOrEqualTo(2);
        recorder.assertQuiet();

        Files.writeString(file, config(18090));
        assertThat(ports(recorder.next())).containsExactly(18090);
    }

    @Test
    void sameSizeRewriteWithinOneTimestampTickIsDelivered() throws Exception {
        // A coarse file system clock can give two writes the same mtime; with the same size and inode, only the
        // content tells them apart, so a stat taken that close to the write is not trusted.
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        FileTime tick = Files.getLastModifiedTime(file);
        Recorder recorder = new Recorder();
        FileSource source = new FileSource(file, new ConfigLoader(), Duration.ofMillis(100), Duration.ofMillis(10));
        sources.add(source);
        source.start(recorder);
        recorder.next();

        Files.writeString(file, config(18082));
        Files.setLastModifiedTime(file, tick);

        assertThat(ports(recorder.next())).containsExactly(18082);
    }

    @Test
    void pollAloneFindsChangesTheWatchMissed() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        Recorder recorder = new Recorder();
        FileSource source = new FileSource(file, new ConfigLoader(), Duration.ofMillis(200), Duration.ofMillis(50),
                false);
        sources.add(source);
        source.start(recorder);
        recorder.next();

        Files.writeString(file, config(18087));
        assertThat(ports(recorder.next())).containsExactly(18087);
    }

    @Test
    void unresolvableHostIsReportedOncePerFileContent() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081).replace("127.0.0.1:18081", "no-such-host.invalid:80"));
        AtomicInteger lookups = new AtomicInteger();
        // The JDK words a fresh lookup failure and one from its negative cache differently; alternate the same way.
        HostResolver dns = host -> {
            boolean fresh = lookups.incrementAndGet() % 2 == 1;
            throw new UnknownHostException(fresh ? host + ": Name or service not known" : host);
        };
        ListAppender<ILoggingEvent> log = captureWarnings();
        Recorder recorder = new Recorder();
        FileSource source = new FileSource(file, new ConfigLoader(dns), Duration.ofMillis(50), Duration.ofMillis(10));
        sources.add(source);
        source.start(recorder);

        Event error = recorder.next();
        assertThat(error.kind()).isEqualTo("error");
        assertThat(error.message()).contains(file + ":5: services[0].endpoints[0]: cannot resolve host "
                + "'no-such-host.invalid'");
        // Polls keep retrying the lookup (the name may resolve later), but the unchanged file is not reported again.
        int seen = lookups.get();
        await().atMost(Duration.ofMillis(DELIVERY_MS)).until(() -> lookups.get() >= seen + 6);
        assertThat(source.failureCount()).isEqualTo(1);
        assertThat(recorder.events).isEmpty();
        assertThat(rejections(log)).isEqualTo(1);

        replaceAtomically(file, config(18081).replace("127.0.0.1:18081", "other-host.invalid:80"));
        assertThat(recorder.next().message()).contains("cannot resolve host 'other-host.invalid'");
        int seenAfterEdit = lookups.get();
        await().atMost(Duration.ofMillis(DELIVERY_MS)).until(() -> lookups.get() >= seenAfterEdit + 4);
        assertThat(source.failureCount()).isEqualTo(2);
        assertThat(recorder.events).isEmpty();
        assertThat(rejections(log)).isEqualTo(2);

        replaceAtomically(file, config(18082));
        assertThat(ports(recorder.next())).containsExactly(18082);
    }

    /** WARN lines of FileSource from here on, until the test ends. */
    private ListAppender<ILoggingEvent> captureWarnings() {
        Logger logger = (Logger) LoggerFactory.getLogger(FileSource.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        cleanups.add(() -> logger.detachAppender(appender));
        return appender;
    }

    private static long rejections(ListAppender<ILoggingEvent> log) {
        synchronized (log.list) {
            return log.list.stream().filter(e -> e.getLevel() == Level.WARN)
                    .filter(e -> e.getFormattedMessage().startsWith("config rejected")).count();
        }
    }

    @Test
    void reloadNowBeforeStartIsRefused() {
        FileSource source = new FileSource(dir.resolve("junction.yaml"));
        assertThatThrownBy(source::reloadNow).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("expected: a started source");
    }

    @Test
    void reloadNowReparsesAndRepeatsErrors() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, "services: [");
        Recorder recorder = new Recorder();
        FileSource source = start(file, recorder);

        Event first = recorder.events.poll();
        assertThat(first).isNotNull();
        assertThat(first.kind()).isEqualTo("error");
        assertThat(first.message()).contains("YAML syntax error");
        assertThat(source.lastGood()).isNull();

        assertThat(source.reloadNow()).isFalse();
        assertThat(recorder.next().kind()).isEqualTo("error");
        assertThat(source.failureCount()).isEqualTo(2);

        Files.writeString(file, config(18088));
        assertThat(ports(recorder.next())).containsExactly(18088);
        assertThat(source.reloadNow()).isTrue();
        recorder.assertQuiet();
        assertThat(source.reloadCount()).isEqualTo(2);
    }

    @Test
    void closeStopsTheThreadPromptlyAndSilencesTheSource() throws Exception {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, config(18081));
        Recorder recorder = new Recorder();
        FileSource source = start(file, recorder);
        recorder.next();
        Thread thread = source.thread();
        assertThat(thread.isAlive()).isTrue();

        long t0 = System.nanoTime();
        source.close();
        assertThat(thread.isAlive()).isFalse();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_000);

        Files.writeString(file, config(18089));
        assertThat(source.reloadNow()).isFalse();
        recorder.assertQuiet();
        source.close();
        assertThatThrownBy(() -> source.start(recorder)).isInstanceOf(IllegalStateException.class);
    }
}
