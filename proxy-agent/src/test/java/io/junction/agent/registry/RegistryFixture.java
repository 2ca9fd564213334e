package io.junction.agent.registry;

import io.junction.agent.Agent;
import io.junction.agent.config.ConfigLoader;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.state.ServiceHandle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Agents with a registry on temporary config files, and raw HTTP to their APIs. Test-only. */
final class RegistryFixture {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RegistryFixture() {
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A config serving {@code web} on {@code webPort} from the registry on {@code registryPort}. */
    static String config(int webPort, int registryPort, int adminPort, Path stateFile, String registryExtra) {
        return """
                admin:
                  listen: %s
                proxy:
                  shutdownDrainTimeout: 1s
                  accessLog: false
                services:
                  - name: web
                    listen: 127.0.0.1:%d
                discovery:
                  registry:
                    listen: 127.0.0.1:%d
                    stateFile: %s
                    allowLoopback: true
                %s""".formatted(adminPort == 0 ? "off" : "127.0.0.1:" + adminPort, webPort, registryPort,
                stateFile, registryExtra.indent(4));
    }

    static Agent start(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("junction.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return Agent.start(file, new ConfigLoader().load(file), Duration.ofSeconds(10));
    }

    static ServiceHandle web(Agent agent) {
        return agent.controller().handle(ServiceKey.of("web", Protocol.TCP));
    }

    static int eligible(Agent agent) {
        ServiceHandle h = web(agent);
        return h == null ? 0 : h.current().eligible().size();
    }

    static HttpResponse<String> put(int port, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
