package io.junction.agent.discovery.nacos;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Nacos server as far as its naming open API goes, on loopback, for tests: it answers instance lists in the
 * shapes the Nacos documentation gives (see {@link NacosDocBodies} for the verbatim examples these follow), with
 * instances the test sets, for the API versions the test chooses; other paths get the JDK server's plain 404, as a
 * server without that API would. Optional auth as documented: {@code POST /nacos/v1/auth/login} gives a token that
 * list requests must carry as {@code accessToken} within its TTL, else 403 (only the
 * latest token is valid). It can go down and come back on the same port.
 *
 * <p>Thread-safe.
 */
public final class FakeNacos implements AutoCloseable {

    /** One instance, with the fields of the documented examples. */
    public record Instance(String ip, int port, double weight, boolean healthy, boolean enabled, boolean ephemeral,
                           String clusterName, Map<String, String> metadata) {
        public static Instance of(String ip, int port) {
            return new Instance(ip, port, 1.0, true, true, true, "DEFAULT", Map.of());
        }

        public Instance weight(double w) {
            return new Instance(ip, port, w, healthy, enabled, ephemeral, clusterName, metadata);
        }

        public Instance healthy(boolean h) {
            return new Instance(ip, port, weight, h, enabled, ephemeral, clusterName, metadata);
        }

        public Instance enabled(boolean e) {
            return new Instance(ip, port, weight, healthy, e, ephemeral, clusterName, metadata);
        }

        public Instance persistent() {
            return new Instance(ip, port, weight, healthy, enabled, false, clusterName, metadata);
        }

        public Instance cluster(String c) {
            return new Instance(ip, port, weight, healthy, enabled, ephemeral, c, metadata);
        }

        public Instance udp() {
            return new Instance(ip, port, weight, healthy, enabled, ephemeral, clusterName, Map.of("protocol", "udp"));
        }
    }

    private final Set<NacosApi> versions;
    private final int port;
    private final Map<String, List<Instance>> services = new ConcurrentHashMap<>();
    /** Raw JSON for one instance, overriding the typed list (malformed-instance tests). */
    private final Map<String, List<String>> rawHosts = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> tokensSeen = new CopyOnWriteArrayList<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger listCalls = new AtomicInteger();
    private final AtomicInteger checksumVersion = new AtomicInteger();
    private volatile String username;
    private volatile String password;
    private volatile long tokenTtlSeconds;
    private volatile String validToken;
    private volatile long validUntilNanos;
    private volatile HttpServer server;

    /** A server that serves {@code versions} of the instance-list API. */
    public FakeNacos(Set<NacosApi> versions) {
        this.versions = EnumSet.copyOf(versions);
        this.server = bind(0);
        this.port = server.getAddress().getPort();
    }

    public static FakeNacos allVersions() {
        return new FakeNacos(EnumSet.allOf(NacosApi.class));
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as {@code serverAddr} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    public FakeNacos requireLogin(String user, String pass, long ttlSeconds) {
        this.username = user;
        this.password = pass;
        this.tokenTtlSeconds = ttlSeconds;
        return this;
    }

    /** Sets {@code service}'s instances (a new checksum); an empty list keeps the service with no instance. */
    public void set(String service, Instance... instances) {
        rawHosts.remove(service);
        services.put(service, List.of(instances));
        checksumVersion.incrementAndGet();
    }

    /** Sets {@code service}'s hosts as raw JSON objects, to send what a misbehaving registry might. */
    public void setRaw(String service, String... hostsJson) {
        services.remove(service);
        rawHosts.put(service, List.of(hostsJson));
        checksumVersion.incrementAndGet();
    }

    /** Forgets the token it gave, as a restarted server with a new secret would: the next list call gets 403. */
    public void revokeToken() {
        validToken = "revoked";
    }

    public int logins() {
        return logins.get();
    }

    public int listCalls() {
        return listCalls.get();
    }

    /** Every request path with its query, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** The access tokens list requests carried, in order (null: none). */
    public List<String> tokensSeen() {
        return new ArrayList<>(tokensSeen);
    }

    /** Stops answering: connections are refused until {@link #up()}. */
    public synchronized void down() {
        if (server != null) {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            server = null;
        }
    }

    /** Answers again, on the same port. */
    public synchronized void up() {
        if (server == null) {
            server = bind(port);
        }
    }

    @Override
    public void close() {
        down();
    }

    private HttpServer bind(int p) {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 16);
            s.setExecutor(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "fake-nacos");
                t.setDaemon(true);
                return t;
            }));
            s.createContext("/", ex -> {
                // Any other path, recorded, with the plain 404 of a server that has no such API.
                requests.add(ex.getRequestURI().toString());
                reply(ex, 404, "<h1>404 Not Found</h1>No context found for request");
            });
            s.createContext(NacosAuth.LOGIN_PATH, this::login);
            for (NacosApi api : versions) {
                s.createContext(api.path(), ex -> list(api, ex));
            }
            s.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void login(HttpExchange ex) throws IOException {
        requests.add(ex.getRequestURI().toString());
        Map<String, String> form = parse(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"POST".equals(ex.getRequestMethod()) || username == null
                || !username.equals(form.get("username")) || !password.equals(form.get("password"))) {
            // What Nacos answers to a wrong password.
            reply(ex, 403, "unknown user!");
            return;
        }
        String token = "token-" + logins.incrementAndGet();
        validToken = token;
        validUntilNanos = System.nanoTime() + tokenTtlSeconds * 1_000_000_000L;
        reply(ex, 200, "{\"accessToken\":\"" + token + "\",\"tokenTtl\":" + tokenTtlSeconds
                + ",\"globalAdmin\":true}");
    }

    private void list(NacosApi api, HttpExchange ex) throws IOException {
        requests.add(ex.getRequestURI().toString());
        if (!ex.getRequestURI().getPath().equals(api.path())) {
            reply(ex, 404, "no such path");
            return;
        }
        Map<String, String> q = parse(ex.getRequestURI().getRawQuery());
        tokensSeen.add(q.get("accessToken"));
        if (username != null && (q.get("accessToken") == null || !q.get("accessToken").equals(validToken))) {
            reply(ex, 403, "token invalid!");
            return;
        }
        if (username != null && System.nanoTime() - validUntilNanos > 0) {
            reply(ex, 403, "token expired!");
            return;
        }
        listCalls.incrementAndGet();
        String service = q.get("serviceName");
        String group = q.getOrDefault("groupName", "DEFAULT_GROUP");
        String name = group + "@@" + service;
        List<String> hosts = hosts(service, name);
        String joined = String.join(",\n", hosts);
        String clusters = q.getOrDefault(api == NacosApi.V1 ? "clusters" : "clusterName", "");
        String body = switch (api) {
            // Shape of the "Client API" 2.3 response example (Nacos 3.x).
            case V3 -> "{\n  \"code\": 0,\n  \"message\": \"success\",\n  \"data\": [\n" + joined + "\n  ]\n}";
            // Shape of the 2.X "Query instances" response example.
            case V2 -> "{\n\t\"code\": 0,\n\t\"message\": \"success\",\n\t\"data\": " + serviceInfo(name, group,
                    clusters, joined) + "\n}";
            // Shape of the 1.X "Query instances" response example.
            case V1 -> serviceInfo(name, group, clusters, joined);
        };
        reply(ex, 200, body);
    }

    private String serviceInfo(String name, String group, String clusters, String hosts) {
        return "{\n\"name\": \"" + name + "\",\n\"groupName\": \"" + group + "\",\n\"clusters\": \"" + clusters
                + "\",\n\"cacheMillis\": 10000,\n\"hosts\": [\n" + hosts + "\n],\n\"lastRefTime\": "
                + System.currentTimeMillis() + ",\n\"checksum\": \"c" + checksumVersion.get()
                + "\",\n\"allIPs\": false,\n\"reachProtectionThreshold\": false,\n\"valid\": true\n}";
    }

    private List<String> hosts(String service, String name) {
        List<String> raw = rawHosts.get(service);
        if (raw != null) {
            return raw;
        }
        List<String> out = new ArrayList<>();
        for (Instance i : services.getOrDefault(service, List.of())) {
            StringBuilder md = new StringBuilder("{");
            i.metadata().forEach((k, v) -> md.append(md.length() > 1 ? "," : "").append('"').append(k)
                    .append("\": \"").append(v).append('"'));
            md.append('}');
            out.add("{\n\"ip\": \"" + i.ip() + "\",\n\"port\": " + i.port() + ",\n\"weight\": " + i.weight()
                    + ",\n\"healthy\": " + i.healthy() + ",\n\"enabled\": " + i.enabled() + ",\n\"ephemeral\": "
                    + i.ephemeral() + ",\n\"clusterName\": \"" + i.clusterName() + "\",\n\"serviceName\": \"" + name
                    + "\",\n\"metadata\": " + md + ",\n\"instanceHeartBeatTimeOut\": 15000,\n\"ipDeleteTimeout\":"
                    + " 30000,\n\"instanceHeartBeatInterval\": 5000\n}");
        }
        return out;
    }

    private static Map<String, String> parse(String query) {
        Map<String, String> out = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return out;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", body.startsWith("{") ? "application/json;charset=UTF-8"
                : "text/plain;charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }
}
