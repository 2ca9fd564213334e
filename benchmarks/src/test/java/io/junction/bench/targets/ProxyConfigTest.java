package io.junction.bench.targets;

import io.junction.core.model.Protocol;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProxyConfigTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Path DIR = Paths.get("/tmp/run/tcp-rr");

    private static ProxyParams params(Protocol protocol, int threads) {
        return new ProxyParams(new InetSocketAddress(LOOPBACK, 10080), new InetSocketAddress(LOOPBACK, 18081),
                protocol, threads, DIR);
    }

    @Test
    void junctionConfigHasTheAgentShape() {
        String yaml = new JunctionFlavor(Paths.get("junction.jar"), List.of()).renderConfig(params(Protocol.TCP, 0));
        assertThat(yaml).endsWith("""
                admin:
                  listen: "off"
                proxy:
                  workerThreads: 0
                services:
                  - name: bench
                    protocol: tcp
                    listen: 127.0.0.1:10080
                    lb: round-robin
                    connectTimeout: 1s
                    endpoints:
                      - 127.0.0.1:18081
                """);
        assertThat(new JunctionFlavor(Paths.get("j.jar"), List.of()).renderConfig(params(Protocol.UDP, 2)))
                .contains("workerThreads: 2\n").contains("protocol: udp\n")
                .as("TCP-only keys are rejected on a UDP service").doesNotContain("connectTimeout")
                .as("the default config, access log included").doesNotContain("accessLog");
    }

    @Test
    void junctionCommandRunsTheJarWithTheConfig() {
        List<String> cmd = new JunctionFlavor(Paths.get("/x/junction.jar"), List.of("-Xmx256m"))
                .command(Paths.get("/tmp/junction.yaml"), params(Protocol.TCP, 0));
        assertThat(cmd.get(0)).endsWith("/bin/java");
        assertThat(cmd.subList(1, cmd.size()))
                .containsExactly("-Xmx256m", "-jar", "/x/junction.jar", "run", "--config", "/tmp/junction.yaml");
    }

    @Test
    void missingJunctionJarIsUnavailableWithBuildHint() {
        JunctionFlavor flavor = new JunctionFlavor(Paths.get("/definitely/missing/junction.jar"), List.of());
        TargetContext ctx = new TargetContext(Protocol.TCP, new InetSocketAddress(LOOPBACK, 1), DIR, 0, -1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> flavor.check(ctx))
                .isInstanceOf(TargetUnavailableException.class)
                .hasMessageContaining("/definitely/missing/junction.jar")
                .hasMessageContaining("--junction-jar");
    }

    @Test
    void haproxyConfigIsPlainTcpModeToTheBackend() {
        String cfg = new HaproxyFlavor(Paths.get("/usr/sbin/haproxy")).renderConfig(params(Protocol.TCP, 1));
        assertThat(cfg).contains("    mode tcp\n", "    bind 127.0.0.1:10080\n",
                "    server s1 127.0.0.1:18081\n", "    nbthread 1\n");
        assertThat(new HaproxyFlavor(null).renderConfig(params(Protocol.TCP, 0))).doesNotContain("nbthread")
                .doesNotContain("splice");
        assertThat(new HaproxyFlavor(null, true).renderConfig(params(Protocol.TCP, 0)))
                .contains("    option splice-auto\n");
        assertThat(new JunctionFlavor(Paths.get("j.jar"), List.of(), true).renderConfig(params(Protocol.TCP, 0)))
                .contains("    splice: auto\n");
        assertThat(new JunctionFlavor(Paths.get("j.jar"), List.of(), true).renderConfig(params(Protocol.UDP, 0)))
                .doesNotContain("splice");
    }

    @Test
    void haproxyIsUnsupportedForUdp() {
        TargetContext udp = new TargetContext(Protocol.UDP, new InetSocketAddress(LOOPBACK, 1), DIR, 0, -1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HaproxyFlavor(null).check(udp))
                .isInstanceOfSatisfying(TargetUnavailableException.class,
                        e -> assertThat(e.unsupported()).isTrue());
    }

    @Test
    void nginxConfigLoadsTheDynamicStreamModuleWhenGiven() {
        String tcp = NginxFlavor.render(params(Protocol.TCP, 0),
                Paths.get("/usr/lib/nginx/modules/ngx_stream_module.so"));
        assertThat(tcp).startsWith("# Generated")
                .contains("load_module /usr/lib/nginx/modules/ngx_stream_module.so;\n", "daemon off;\n",
                        "worker_processes auto;\n", "pid /tmp/run/tcp-rr/nginx.pid;\n",
                        "        server 127.0.0.1:18081;\n", "        listen 127.0.0.1:10080 reuseport;\n");
        String udp = NginxFlavor.render(params(Protocol.UDP, 2), null);
        assertThat(udp).doesNotContain("load_module")
                .contains("worker_processes 2;\n", "        listen 127.0.0.1:10080 udp reuseport;\n");
    }
}
