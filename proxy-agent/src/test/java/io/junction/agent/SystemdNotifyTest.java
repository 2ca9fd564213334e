package io.junction.agent;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainDatagramPacket;
import io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code Type=notify} as systemd sees it: the test plays systemd's side of sd_notify(3), a Unix datagram socket
 * named by {@code $NOTIFY_SOCKET}, and runs the agent as its own process the way the unit does.
 */
class SystemdNotifyTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private EventLoopGroup group;
    private Channel systemd;
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private Process agent;

    @BeforeEach
    void notifySocket() {
        assumeThat(Epoll.isAvailable()).as("needs Netty's native epoll (Linux)").isTrue();
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        systemd = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
                .handler(new SimpleChannelInboundHandler<DomainDatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DomainDatagramPacket p) {
                        messages.add(p.content().toString(StandardCharsets.UTF_8));
                    }
                })
                .bind(new DomainSocketAddress(dir.resolve("notify").toFile())).syncUninterruptibly().channel();
    }

    @AfterEach
    void stop() {
        if (agent != null) {
            agent.destroyForcibly();
        }
        if (systemd != null) {
            systemd.close().syncUninterruptibly();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void theAgentSaysReadyOnceItServesReloadingAroundSighupAndStoppingOnSigterm() throws Exception {
        int port = AgentFixture.freePort();
        Path config = dir.resolve("junction.yaml");
        Files.writeString(config, """
                admin:
                  listen: off
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                    endpoints: [127.0.0.1:1]
                """.formatted(port));
        // systemd starts a service with every signal at its default; a test run under nohup would hand its ignored
        // SIGHUP down to the agent, whose JVM then never sees one.
        ProcessBuilder pb = new ProcessBuilder("env", "--default-signal=HUP",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
        pb.environment().put("NOTIFY_SOCKET", dir.resolve("notify").toString());
        agent = pb.start();

        await().atMost(WAIT).until(() -> !messages.isEmpty());
        assertThat(messages.get(0)).startsWith("READY=1\n").contains("STATUS=serving 1 services");
        // Ready means serving: the listener is bound by the time systemd hears it.
        try (var s = new java.net.Socket("127.0.0.1", port)) {
            assertThat(s.isConnected()).isTrue();
        }

        new ProcessBuilder("kill", "-HUP", Long.toString(agent.pid())).start().waitFor(10, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> messages.size() >= 3);
        assertThat(messages.get(1)).startsWith("RELOADING=1\nMONOTONIC_USEC=");
        assertThat(messages.get(2)).startsWith("READY=1\n");

        agent.destroy(); // SIGTERM
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(agent.exitValue()).isZero();
        // The datagram was sent before the exit; this side's loop may read it a moment later.
        await().atMost(WAIT).until(() -> messages.size() >= 4);
        assertThat(messages).hasSize(4);
        assertThat(messages.get(3)).startsWith("STOPPING=1\nSTATUS=draining 0 connections");
    }
}
