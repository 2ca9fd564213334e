package io.junction.reliability.scenarios;

import io.junction.reliability.frame.Commands;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Netns;
import io.junction.reliability.frame.Ports;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.frame.UnprivilegedJava;
import io.junction.reliability.traffic.ConnectProbeMain;
import io.junction.reliability.traffic.EchoBackendMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Scenario 24: the agent started as an unprivileged user ({@code nobody}, via {@code setpriv}) in a network namespace
 * whose {@code net.ipv4.ip_unprivileged_port_start} the test sets to 1024. (a) With the ambient capability
 * CAP_NET_BIND_SERVICE and a service on port 80, plus the admin server and the registry API at their default
 * addresses (ports above 1024) with a state file in a directory the user owns: it starts, becomes ready and serves,
 * and a registration is written to the state file. (b) The same config without the capability: start-up fails non-zero
 * within a bound, with one line naming the address and what to do. (c) Without the capability and with the service on
 * a port above 1024: everything works, so the admin and registry defaults need no privilege.
 */
@ExtendWith(ReportExtension.class)
class UnprivilegedStartScenarioTest {
    private static final String USER = "nobody";
    private static final int LOW_PORT = 80;
    private static final double READY_BOUND_MILLIS = 15_000;
    private static final double EXIT_BOUND_MILLIS = 10_000;

    /** Connections made through each agent that serves. */
    record Params(int probes) {
        static Params of(Size size) {
            return size.pick(new Params(20), new Params(200));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "24", title = "Unprivileged start: a port below 1024 with and without CAP_NET_BIND_SERVICE")
    void anUnprivilegedAgentServesALowPortWithTheCapabilityAndOtherwiseRefusesToStartSayingWhy(Scenario scenario)
            throws Exception {
        Commands.assumeRootWithNetworkTools();
        assumeThat(Commands.run(List.of("sh", "-c", "command -v setpriv && command -v curl")).code())
                .as("needs setpriv (util-linux) and curl; skipped").isZero();
        Commands.Result ids = Commands.run(List.of("id", "-u", USER));
        assumeThat(ids.code()).as("needs a user '" + USER + "'; skipped").isZero();
        String uid = ids.out().strip();
        String gid = Commands.check("id", "-g", USER).strip();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        assumeThat(Commands.run(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                javaBin.toString(), "-version")).code()).as("the JDK at " + javaBin + " must run as " + USER
                + "; skipped").isZero();
        Params p = Params.of(scenario.size());

        // Everything the user reads lives under a directory it may search; the state directory is its own.
        UnprivilegedJava java = UnprivilegedJava.copyClassPath(dir.resolve("classpath"), uid, gid);
        UnprivilegedJava.readableByAll(dir);
        Path state = Files.createDirectories(dir.resolve("state"));
        UserPrincipalLookupService users = state.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(state, users.lookupPrincipalByName(USER));
        int backendPort = Ports.free();
        int highPort = Ports.free();
        scenario.note("agent as " + USER + " (uid " + uid + ", gid " + gid + ", no groups) in a namespace with "
                + "ip_unprivileged_port_start=1024; admin and registry at their defaults (127.0.0.1:9901, "
                + "127.0.0.1:8500), registry state in a directory owned by " + USER + "; " + p.probes()
                + " connections through each serving agent");

        try (Netns ns = Netns.create("unpriv")) {
            ns.exec("sysctl", "-q", "-w", "net.ipv4.ip_unprivileged_port_start=1024");
            try (JavaProcess backend = JavaProcess.start(ns.inside(List.of()), "64m", dir.resolve("backend.log"),
                    EchoBackendMain.class.getName(), Integer.toString(backendPort), "7")) {
                scenario.note("echo backend (pid " + backend.pid() + ") on 127.0.0.1:" + backendPort
                        + " in the namespace, as root");
                // (a) With the capability: port 80 binds, the agent is ready and serves, the registry persists.
                Path lowConfig = write("low.yaml", config(LOW_PORT, backendPort, state));
                Served a = serve(ns, java, "net_bind_service", lowConfig, LOW_PORT, backendPort, p, "a");
                scenario.note("(a) with CAP_NET_BIND_SERVICE: " + a.describe());

                // (b) Without it: the same file must stop the start, saying where and what to do.
                long t0 = System.nanoTime();
                Process refused = java.start(ns, null, dir.resolve("agent-b.log"), "io.junction.agent.Main", "run",
                        "--config", lowConfig.toString());
                boolean exited = refused.waitFor(30, TimeUnit.SECONDS);
                double exitMillis = exited ? (System.nanoTime() - t0) / 1e6 : 30_000;
                if (!exited) {
                    refused.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                int exitCode = exited ? refused.exitValue() : 0;
                String out = Files.readString(dir.resolve("agent-b.log"), StandardCharsets.UTF_8);
                String line = out.lines().filter(l -> l.startsWith("junction: cannot start:")).findFirst()
                        .orElse("");
                boolean clear = line.contains("127.0.0.1:" + LOW_PORT) && line.contains("CAP_NET_BIND_SERVICE")
                        && line.contains(">= 1024");
                scenario.note("(b) without it: exit " + (exited ? exitCode : "none (killed)") + " after "
                        + Math.round(exitMillis) + " ms: \"" + line + "\"");

                // (c) Without it, on a port above 1024: nothing needs a privilege.
                Path highConfig = write("high.yaml", config(highPort, backendPort, state));
                Served c = serve(ns, java, null, highConfig, highPort, backendPort, p, "c");
                scenario.note("(c) without it, service on " + highPort + ": " + c.describe());

                scenario.figure("(a) ran as " + USER + " with only CAP_NET_BIND_SERVICE effective",
                        a.asUserWithBindCapOnly(uid) ? 1 : 0, "", Bound.EXACTLY, 1);
                scenario.figure("(a) time to ready, port 80 with the capability", Math.round(a.readyMillis()), "ms",
                        Bound.AT_MOST, READY_BOUND_MILLIS);
                scenario.figure("(a) connections through port 80 that echoed", a.echoed(), "", Bound.EXACTLY,
                        p.probes());
                scenario.figure("(a) registration answered 200 and written to the state file by " + USER,
                        a.registered() ? 1 : 0, "", Bound.EXACTLY, 1);
                scenario.figure("(b) start without the capability exited non-zero", exited && exitCode != 0 ? 1 : 0,
                        "", Bound.EXACTLY, 1);
                scenario.figure("(b) time to exit", Math.round(exitMillis), "ms", Bound.AT_MOST, EXIT_BOUND_MILLIS);
                scenario.figure("(b) one line naming 127.0.0.1:80, CAP_NET_BIND_SERVICE and ports >= 1024",
                        clear ? 1 : 0, "", Bound.EXACTLY, 1);
                scenario.figure("(c) ran with no effective capability", c.withoutCapabilities(uid) ? 1 : 0, "",
                        Bound.EXACTLY, 1);
                scenario.figure("(c) time to ready, admin 9901 and registry 8500 without privilege",
                        Math.round(c.readyMillis()), "ms", Bound.AT_MOST, READY_BOUND_MILLIS);
                scenario.figure("(c) connections that echoed", c.echoed(), "", Bound.EXACTLY, p.probes());
                scenario.figure("(c) registration answered 200 and written to the state file by " + USER,
                        c.registered() ? 1 : 0, "", Bound.EXACTLY, 1);
                scenario.assertPassed();
            }
        }
    }

    /**
     * What one serving agent showed.
     *
     * @param uid         the Uid line of /proc/PID/status (real, effective, saved, fs)
     * @param capEff      its effective capability mask (hex)
     * @param readyMillis from start to /readyz 200 (the bound when never)
     * @param echoed      probe connections that echoed
     * @param registered  the registry answered 200 and the state file appeared, owned by the user
     */
    record Served(String uid, String capEff, double readyMillis, int echoed, boolean registered) {
        /** CAP_NET_BIND_SERVICE is capability 10. */
        private static final long NET_BIND_SERVICE = 1L << 10;

        boolean asUserWithBindCapOnly(String expectedUid) {
            return allIds(expectedUid) && Long.parseLong(capEff, 16) == NET_BIND_SERVICE;
        }

        boolean withoutCapabilities(String expectedUid) {
            return allIds(expectedUid) && Long.parseLong(capEff, 16) == 0;
        }

        private boolean allIds(String expected) {
            return List.of(uid.trim().split("\\s+")).stream().allMatch(expected::equals);
        }

        String describe() {
            return "Uid " + uid + ", CapEff " + capEff + ", ready after " + Math.round(readyMillis) + " ms, " + echoed
                    + " echoed, registration persisted: " + registered;
        }
    }

    private Served serve(Netns ns, UnprivilegedJava java, String capability, Path config, int port, int backendPort,
                         Params p, String label) throws Exception {
        long t0 = System.nanoTime();
        Process agent = java.start(ns, capability, dir.resolve("agent-" + label + ".log"), "io.junction.agent.Main",
                "run", "--config", config.toString());
        try {
            double readyMillis = READY_BOUND_MILLIS;
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (agent.isAlive() && System.nanoTime() < deadline) {
                if ("200".equals(curl(ns, "-o", "/dev/null", "-w", "%{http_code}",
                        "http://127.0.0.1:9901/readyz").out().strip())) {
                    readyMillis = (System.nanoTime() - t0) / 1e6;
                    break;
                }
                Thread.sleep(100);
            }
            if (!agent.isAlive()) {
                throw new IllegalStateException("agent (" + label + ") exited " + agent.exitValue() + ":\n"
                        + Files.readString(dir.resolve("agent-" + label + ".log")));
            }
            String[] status = procStatus(agent.pid());
            int echoed = probe(ns, port, p.probes(), label);
            Path stateFile = dir.resolve("state").resolve("registry.json");
            Files.deleteIfExists(stateFile);
            String code = curl(ns, "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT", "--data",
                    "{\"Name\": \"web\", \"ID\": \"web-" + label + "\", \"Address\": \"127.0.0.1\", \"Port\": "
                            + backendPort + "}", "http://127.0.0.1:8500/v1/agent/service/register").out().strip();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!Files.exists(stateFile) && System.nanoTime() < until) {
                Thread.sleep(50);
            }
            boolean persisted = Files.exists(stateFile)
                    && Files.getOwner(stateFile).getName().equals(USER)
                    && Files.readString(stateFile).contains("web-" + label);
            return new Served(status[0], status[1], readyMillis, echoed, "200".equals(code) && persisted);
        } finally {
            agent.destroy();
            if (!agent.waitFor(20, TimeUnit.SECONDS)) {
                agent.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Probe connections from inside the namespace: how many echoed. */
    private int probe(Netns ns, int port, int count, String label) throws IOException, InterruptedException {
        try (JavaProcess probe = JavaProcess.start(ns.inside(List.of()), "64m", dir.resolve("probe-" + label + ".log"),
                ConnectProbeMain.class.getName(), "127.0.0.1", Integer.toString(port), Integer.toString(count))) {
            probe.process().waitFor(120, TimeUnit.SECONDS);
            return (int) probe.output().lines().filter(l -> l.startsWith("ok ")).count();
        }
    }

    /** The Uid line and the CapEff mask of a process, from /proc. */
    private static String[] procStatus(long pid) throws IOException {
        String uid = "";
        String capEff = "";
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("Uid:")) {
                uid = line.substring(4).trim();
            } else if (line.startsWith("CapEff:")) {
                capEff = line.substring(7).trim();
            }
        }
        return new String[] {uid, capEff};
    }

    private static String config(int port, int backendPort, Path state) {
        // admin and registry are left at their default addresses: what is checked is that they need no privilege.
        return """
                proxy:
                  accessLog: false
                  shutdownDrainTimeout: 1s
                discovery:
                  registry:
                    stateFile: %s
                    allowLoopback: true
                services:
                  - name: low
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:%d]
                """.formatted(state.resolve("registry.json"), port, backendPort);
    }

    private Path write(String name, String yaml) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        UnprivilegedJava.readableByAll(file);
        return file;
    }

    private static Commands.Result curl(Netns ns, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "3"));
        cmd.addAll(List.of(args));
        return Commands.run(ns.inside(cmd));
    }
}
