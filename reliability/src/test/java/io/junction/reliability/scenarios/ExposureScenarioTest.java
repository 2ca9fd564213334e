package io.junction.reliability.scenarios;

import io.junction.reliability.frame.AgentConfig;
import io.junction.reliability.frame.AgentProcess;
import io.junction.reliability.frame.Commands;
import io.junction.reliability.frame.Figure.Bound;
import io.junction.reliability.frame.JavaProcess;
import io.junction.reliability.frame.Netns;
import io.junction.reliability.frame.ReportExtension;
import io.junction.reliability.frame.Scenario;
import io.junction.reliability.frame.ScenarioInfo;
import io.junction.reliability.frame.Size;
import io.junction.reliability.traffic.CanaryMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Scenario 11: exposure and open relay. The agent runs in namespace "agent" (10.233.0.1) joined by a veth to
 * namespace "peer" (10.233.0.2, plus 169.254.169.254 and 10.234.0.2, where a canary listens). With the admin server
 * and the registry at their default addresses, both listen on loopback only and cannot be reached from the peer
 * (while the service's listener on the veth address can: the control). Writes without the token get 403, a write to
 * the admin API 405. Registering the metadata address, an address outside {@code allowedCidrs} or loopback is refused,
 * and connections through the service never reach the canary.
 */
@ExtendWith(ReportExtension.class)
class ExposureScenarioTest {
    private static final String TOKEN = "reliability-token";

    /** Connections tried through the service after the refused registrations. */
    record Params(int attempts) {
        static Params of(Size size) {
            return size.pick(new Params(10), new Params(100));
        }
    }

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    @ScenarioInfo(id = "11", title = "Admin and registry on loopback; not an open relay")
    void apisStayOnLoopbackWritesNeedTheTokenAndNoRelayReachesTheCanary(Scenario scenario) throws Exception {
        Commands.assumeRootWithNetworkTools();
        Params p = Params.of(scenario.size());
        try (Netns agentNs = Netns.create("rlag"); Netns peer = Netns.create("rlpe")) {
            agentNs.link(peer, "10.233.0.1/24", "10.233.0.2/24");
            String peerDev = peer.exec("ip", "-o", "link", "show", "type", "veth").split(":")[1].strip()
                    .split("@")[0];
            String agentDev = agentNs.exec("ip", "-o", "link", "show", "type", "veth").split(":")[1].strip()
                    .split("@")[0];
            peer.exec("ip", "addr", "add", "169.254.169.254/32", "dev", peerDev);
            peer.exec("ip", "addr", "add", "10.234.0.2/32", "dev", peerDev);
            agentNs.exec("ip", "route", "add", "169.254.169.254/32", "dev", agentDev);
            agentNs.exec("ip", "route", "add", "10.234.0.2/32", "via", "10.233.0.2");
            // No admin block, a registry block with only its required-for-safety keys: the defaults are under test.
            Path config = AgentConfig.write(dir.resolve("junction.yaml"), """
                    proxy:
                      accessLog: false
                      shutdownDrainTimeout: 1s
                    discovery:
                      registry:
                        stateFile: %s
                        token: %s
                        allowedCidrs: [10.233.0.0/24]
                    services:
                      - name: web
                        listen: 10.233.0.1:8080
                    """.formatted(dir.resolve("registry.json"), TOKEN));
            try (JavaProcess canary = JavaProcess.start(peer.inside(List.of()), "64m", dir.resolve("canary.log"),
                         CanaryMain.class.getName(), "169.254.169.254:80", "10.234.0.2:80");
                 AgentProcess agent = AgentProcess.start(agentNs.inside(List.of()), config, 0,
                         dir.resolve("agent.log"))) {
                long t0 = System.nanoTime();
                while (!curl(agentNs, "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9901/readyz")
                        .out().equals("200")) {
                    if (System.nanoTime() - t0 > TimeUnit.SECONDS.toNanos(30) || !agent.jvm().isAlive()) {
                        throw new IllegalStateException("agent not ready:\n" + agent.outputQuietly());
                    }
                    Thread.sleep(200);
                }
                while (!canary.output().contains("canary listening")) {
                    Thread.sleep(50);
                }

                // Listeners: admin (9901) and registry (8500) on loopback only (the JVM's dual-stack sockets show
                // 127.0.0.1 as [::ffff:127.0.0.1]).
                String listening = agentNs.exec("ss", "-Hltn");
                List<String> exposed = new ArrayList<>();
                for (String line : listening.lines().toList()) {
                    String[] f = line.trim().split("\\s+");
                    String local = f[3];
                    if ((local.endsWith(":9901") || local.endsWith(":8500")) && !local.startsWith("127.0.0.1:")
                            && !local.startsWith("[::1]:") && !local.startsWith("[::ffff:127.0.0.1]:")) {
                        exposed.add(local);
                    }
                }
                int apiListeners = (int) listening.lines().filter(l -> l.contains(":9901 ") || l.contains(":8500 "))
                        .count();

                // From the peer: the APIs are refused; the service listener answers (the network works).
                int reachable = 0;
                for (String url : List.of("http://10.233.0.1:9901/healthz", "http://10.233.0.1:8500/v1/agent/self")) {
                    reachable += curl(peer, "-o", "/dev/null", url).code() == 7 ? 0 : 1; // 7: could not connect
                }
                int controlCode = curl(peer, "-o", "/dev/null", "http://10.233.0.1:8080/").code();

                // Writes without the token, and a write to the read-only admin API.
                String reg = "http://127.0.0.1:8500/v1/agent/service/register";
                String body = "{\"ID\": \"w\", \"Name\": \"web\", \"Address\": \"10.233.0.2\", \"Port\": 9}";
                int noToken = status(agentNs, "-X", "PUT", "--data", body, reg);
                int wrongToken = status(agentNs, "-X", "PUT", "-H", "X-Consul-Token: wrong", "--data", body, reg);
                int adminPost = status(agentNs, "-X", "POST", "--data", "{}", "http://127.0.0.1:9901/api/status");

                // Registrations that would make the agent a relay.
                int refusedTargets = 0;
                List<String> answers = new ArrayList<>();
                for (String target : List.of("169.254.169.254", "10.234.0.2", "127.0.0.1")) {
                    int code = status(agentNs, "-X", "PUT", "-H", "X-Consul-Token: " + TOKEN, "--data",
                            "{\"ID\": \"relay-" + target + "\", \"Name\": \"web\", \"Address\": \"" + target
                                    + "\", \"Port\": 80}", reg);
                    answers.add(target + " -> " + code);
                    refusedTargets += code == 400 ? 1 : 0;
                }
                String services = curl(agentNs, "http://127.0.0.1:8500/v1/agent/services").out();

                // The canary works (a direct connection from the agent's namespace counts), then the service is
                // tried from the peer: none of those may reach the canary.
                curl(agentNs, "-o", "/dev/null", "http://169.254.169.254:80/");
                Thread.sleep(200);
                long controlAccepts = canaryAccepts(canary);
                for (int i = 0; i < p.attempts(); i++) {
                    curl(peer, "-o", "/dev/null", "http://10.233.0.1:8080/");
                }
                Thread.sleep(500);
                long relayed = canaryAccepts(canary) - controlAccepts;

                scenario.note("ss in the agent's namespace: " + listening.lines().map(String::trim).toList());
                scenario.note("from the peer: service listener curl exit " + controlCode + " (7 would mean refused); "
                        + "writes: no token " + noToken + ", wrong token " + wrongToken + ", POST to the admin API "
                        + adminPost + "; relay registrations " + answers + "; catalog " + services.strip()
                        + "; canary control accepts " + controlAccepts + "; " + p.attempts()
                        + " connections through the service");
                scenario.figure("admin and registry listeners found", apiListeners, "", Bound.AT_LEAST, 2);
                scenario.figure("admin or registry listeners off loopback", exposed.size(), "", Bound.EXACTLY, 0);
                scenario.figure("admin or registry reachable from the peer namespace", reachable, "", Bound.EXACTLY,
                        0);
                scenario.figure("service listener reachable from the peer (control)", controlCode == 7 ? 0 : 1, "",
                        Bound.EXACTLY, 1);
                scenario.figure("registry writes without the right token answered 403", (noToken == 403 ? 1 : 0)
                        + (wrongToken == 403 ? 1 : 0), "", Bound.EXACTLY, 2);
                scenario.figure("write to the admin API answered 405", adminPost == 405 ? 1 : 0, "", Bound.EXACTLY,
                        1);
                scenario.figure("relay registrations refused (metadata, out of CIDR, loopback)", refusedTargets, "",
                        Bound.EXACTLY, 3);
                scenario.figure("canary control connection seen", controlAccepts, "", Bound.AT_LEAST, 1);
                scenario.figure("connections through the agent that reached the canary", relayed, "", Bound.EXACTLY,
                        0);
                scenario.assertPassed();
            }
        }
    }

    private static Commands.Result curl(Netns ns, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "3"));
        cmd.addAll(List.of(args));
        return Commands.run(ns.inside(cmd));
    }

    private static int status(Netns ns, String... args) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("-o", "/dev/null", "-w", "%{http_code}"));
        a.addAll(List.of(args));
        String out = curl(ns, a.toArray(String[]::new)).out().strip();
        return out.isEmpty() ? -1 : Integer.parseInt(out);
    }

    private static long canaryAccepts(JavaProcess canary) throws IOException {
        return canary.output().lines().filter(l -> l.startsWith("accept ")).count();
    }
}
