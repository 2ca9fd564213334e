package io.junction.agent;

import io.junction.agent.config.AgentConfig;
import io.junction.agent.config.ConfigException;
import io.junction.agent.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The {@code junction} command line: argument parsing only; the work is done by {@link Agent}, {@link ConfigLoader}
 * and {@link DemoBackends}.
 */
@Command(name = "junction", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "A per-node layer-4 service proxy.",
        subcommands = {Main.Run.class, Main.Validate.class, Main.PrintVersion.class, Main.Demo.class,
                Main.SelfTestCommand.class})
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    /** Where {@code run} looks for its config when none is given: $JUNCTION_HOME/config/junction.yaml, else ./config. */
    static Path defaultConfig() {
        String home = System.getenv("JUNCTION_HOME");
        if (home != null && !home.isBlank()) {
            Path p = Path.of(home, "config", "junction.yaml");
            if (Files.exists(p)) {
                return p;
            }
        }
        return Path.of("config", "junction.yaml");
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Run the agent: serve the config's services, hot-reload the file, stop gracefully on "
                    + "SIGTERM/SIGINT (SIGHUP re-reads the file at once).")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "Config file (default: $JUNCTION_HOME/config/junction.yaml or config/junction.yaml).")
        Path config;

        @Override
        public Integer call() {
            Path file = config != null ? config : defaultConfig();
            AgentConfig cfg;
            try {
                cfg = new ConfigLoader().load(file);
            } catch (ConfigException e) {
                System.err.println("junction: invalid config, not starting:");
                System.err.println(e.getMessage());
                return 1;
            }
            SystemdNotify systemd = SystemdNotify.create(System.getenv("NOTIFY_SOCKET"));
            Agent agent;
            try {
                agent = Agent.start(file, cfg, Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                System.err.println("junction: cannot start: " + e.getMessage());
                systemd.close();
                return 1;
            }
            CountDownLatch stop = new CountDownLatch(1);
            Signals.onTerminate(stop::countDown);
            Signals.onHangup(() -> {
                systemd.reloading();
                agent.reload();
                systemd.ready(statusLine(agent));
            });
            // A plain System.exit elsewhere (or an unexpected signal) still drains.
            Thread hook = new Thread(agent::shutdown, "junction-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            // Ready only once the handlers are in: `systemctl reload` may send SIGHUP the moment it hears READY, and
            // the JVM's own SIGHUP handling would stop the agent instead of reloading it.
            systemd.ready(statusLine(agent));
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            systemd.stopping("draining " + agent.controller().activeConnections() + " connections");
            agent.shutdown();
            systemd.close();
            return 0;
        }

        /** One line for {@code systemctl status}: what the agent serves, or why it is not ready. */
        private static String statusLine(Agent agent) {
            var readiness = agent.controller().readiness();
            return readiness.ready() ? "serving " + agent.controller().snapshot().services().size() + " services"
                    : "not ready: " + readiness.reason();
        }
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check config files without binding anything. Exit 0 when all are valid, 1 otherwise.")
    static final class Validate implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Config files to check.")
        List<Path> files;

        @Override
        public Integer call() {
            int bad = 0;
            for (Path f : files) {
                try {
                    AgentConfig cfg = new ConfigLoader().load(f);
                    System.out.println(f + ": ok (" + cfg.services().size() + " services)");
                } catch (ConfigException e) {
                    bad++;
                    System.out.println(f + ": invalid");
                    System.out.println(e.getMessage());
                }
            }
            return bad == 0 ? 0 : 1;
        }
    }

    @Command(name = "version", description = "Print the version.")
    static final class PrintVersion implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println("junction " + Version.get());
            return 0;
        }
    }

    @Command(name = "demo-backends", mixinStandardHelpOptions = true,
            description = "Start tiny HTTP backends on 127.0.0.1 that answer with their own port, for trying the "
                    + "default config (Ctrl-C stops them).")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--ports", split = ",", defaultValue = "18081,18082",
                description = "Ports to listen on (default: ${DEFAULT-VALUE}).")
        List<Integer> ports;

        @Override
        public Integer call() throws InterruptedException {
            DemoBackends backends = DemoBackends.start(ports);
            try {
                System.out.println("demo backends listening on 127.0.0.1:" + ports + " (Ctrl-C to stop)");
                CountDownLatch stop = new CountDownLatch(1);
                Signals.onTerminate(stop::countDown);
                stop.await();
            } finally {
                backends.close();
            }
            return 0;
        }
    }

    @Command(name = "self-test", mixinStandardHelpOptions = true,
            description = "Run a whole agent on loopback on free ports (a demo backend, an HTTP-checked service, the "
                    + "registry), pass traffic through it, read the admin routes, stop. Exit 0 when every step "
                    + "passed. Touches nothing of the real config.")
    static final class SelfTestCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            SelfTest test = new SelfTest();
            boolean ok = test.run();
            System.out.print(test.report());
            System.out.println(ok ? "self-test passed" : "self-test FAILED");
            return ok ? 0 : 1;
        }
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"junction " + Version.get()};
        }
    }
}
