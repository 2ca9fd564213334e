package io.junction.agent.discovery.consul;

import io.junction.core.forward.Transports;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import tools.jackson.databind.json.JsonMapper;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small Consul HTTP server for tests, on Netty, on 127.0.0.1: {@code GET /v1/catalog/services} and
 * {@code GET /v1/health/service/{name}} with the JSON shapes of Consul's API documentation, {@code ?passing},
 * {@code ?tag}, {@code ?dc}, an optional required {@code X-Consul-Token}, and blocking queries: a request whose
 * {@code index} is at or above the current index is held until the index moves past it or its {@code wait} (plus
 * nothing: no jitter, for exact tests) runs out. The index is one counter for the whole catalog, as Consul's Raft
 * index is, and tests can move it back (a registry restored from an older snapshot).
 *
 * <p>Thread-safe: the state is guarded by the instance's lock; Netty answers on its loop.
 */
public final class FakeConsul implements AutoCloseable {
    private static final EventLoopGroup GROUP = Transports.newEventLoopGroup(1, "test-fake-consul");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Pattern WAIT = Pattern.compile("(\\d+)(ms|s|m)");
    private static final String HEALTH = "/v1/health/service/";

    /** One registered instance, and its checks' statuses by check ID. */
    private record Instance(String node, String nodeAddress, String id, String service, String address, int port,
                            List<String> tags, Map<String, Object> weights, Map<String, String> checks) {
    }

    /** A request as the server saw it. */
    public record Seen(String path, Map<String, List<String>> query, String token) {
        public long index() {
            List<String> v = query.get("index");
            return v == null ? 0 : Long.parseLong(v.get(0));
        }
    }

    private final Object lock = new Object();
    private final Map<String, Instance> instances = new TreeMap<>();
    private final List<Held> held = new ArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final ChannelGroup connections = new DefaultChannelGroup("consul", GlobalEventExecutor.INSTANCE);
    private long index = 1;
    private String requiredToken;
    private Channel server;
    private int port;

    private record Held(ChannelHandlerContext ctx, FullHttpRequest request, long index, ScheduledFuture<?> timer) {
    }

    public FakeConsul() {
        this(0);
    }

    /** On {@code port} (0: any free one). */
    public FakeConsul(int port) {
        start(port);
    }

    private void start(int wanted) {
        server = new ServerBootstrap().group(GROUP).channel(Transports.serverSocketChannel())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65_536), new Handler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", wanted)).syncUninterruptibly().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as the config's {@code address} takes it. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** Closes the listener and every connection, as a registry that went away. */
    public void stop() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
    }

    /** Listens again on the same port, with the same state. */
    public void restart() {
        start(port);
    }

    @Override
    public void close() {
        stop();
    }

    /** Requires this token on every request (null: none); others get 403, as Consul with ACLs does. */
    public void requireToken(String token) {
        synchronized (lock) {
            requiredToken = token;
        }
    }

    /** Registers (or replaces) an instance on node {@code node-1} at 127.0.0.1, with one passing service check. */
    public void register(String service, String id, String address, int port) {
        register(service, id, address, port, List.of(), Map.of("Passing", 1, "Warning", 1));
    }

    public void register(String service, String id, String address, int port, List<String> tags,
                         Map<String, Object> weights) {
        synchronized (lock) {
            Map<String, String> checks = new LinkedHashMap<>();
            checks.put("serfHealth", "passing");
            checks.put("service:" + id, "passing");
            instances.put(id, new Instance("node-1", "127.0.0.1", id, service, address, port, tags, weights,
                    checks));
            bump();
        }
    }

    /** Sets a check's status ({@code passing}, {@code warning}, {@code critical}) of instance {@code id}. */
    public void check(String id, String checkId, String status) {
        synchronized (lock) {
            instances.get(id).checks().put(checkId, status);
            bump();
        }
    }

    public void deregister(String id) {
        synchronized (lock) {
            instances.remove(id);
            bump();
        }
    }

    public long index() {
        synchronized (lock) {
            return index;
        }
    }

    /** Moves the index back to {@code value} (a restore from an older snapshot); held requests stay held. */
    public void resetIndex(long value) {
        synchronized (lock) {
            index = value;
        }
    }

    /** Requests currently held by a blocking query. */
    public int held() {
        synchronized (lock) {
            return held.size();
        }
    }

    /** Every request received, oldest first. */
    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    /** Open client connections. */
    public int connections() {
        return connections.size();
    }

    /** Under the lock: a write moved the index; every held request answers. */
    private void bump() {
        index++;
        List<Held> wake = new ArrayList<>(held);
        held.clear();
        for (Held h : wake) {
            h.timer().cancel(false);
            h.ctx().executor().execute(() -> answer(h.ctx(), h.request()));
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        Handler() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder q = new QueryStringDecoder(request.uri());
            seen.add(new Seen(q.path(), q.parameters(), request.headers().get("X-Consul-Token")));
            long wanted = q.parameters().containsKey("index") ? Long.parseLong(q.parameters().get("index").get(0))
                    : 0;
            synchronized (lock) {
                if (wanted > 0 && wanted >= index && request.method() == HttpMethod.GET) {
                    Duration wait = waitOf(q.parameters());
                    Held[] self = new Held[1];
                    ScheduledFuture<?> timer = ctx.executor().schedule(() -> {
                        synchronized (lock) {
                            if (!held.remove(self[0])) {
                                return;
                            }
                        }
                        answer(ctx, request);
                    }, wait.toMillis(), TimeUnit.MILLISECONDS);
                    self[0] = new Held(ctx, request, wanted, timer);
                    held.add(self[0]);
                    return;
                }
            }
            answer(ctx, request);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (lock) {
                held.removeIf(h -> {
                    if (h.ctx() == ctx) {
                        h.timer().cancel(false);
                        h.request().release();
                        return true;
                    }
                    return false;
                });
            }
            ctx.fireChannelInactive();
        }
    }

    private static Duration waitOf(Map<String, List<String>> query) {
        List<String> v = query.get("wait");
        if (v == null) {
            return Duration.ofMinutes(5);
        }
        Matcher m = WAIT.matcher(v.get(0));
        if (!m.matches()) {
            throw new IllegalArgumentException("wait: " + v.get(0));
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private void answer(ChannelHandlerContext ctx, FullHttpRequest request) {
        try {
            if (!ctx.channel().isActive()) {
                return;
            }
            QueryStringDecoder q = new QueryStringDecoder(request.uri());
            FullHttpResponse response;
            synchronized (lock) {
                String token = request.headers().get("X-Consul-Token");
                List<String> dc = q.parameters().get("dc");
                if (requiredToken != null && !requiredToken.equals(token)) {
                    response = text(HttpResponseStatus.FORBIDDEN, "ACL not found");
                } else if (dc != null && !dc.get(0).equals("dc1")) {
                    response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "No path to datacenter");
                } else if (q.path().equals("/v1/catalog/services")) {
                    response = json(catalog());
                } else if (q.path().startsWith(HEALTH)) {
                    response = json(health(QueryStringDecoder.decodeComponent(q.path().substring(HEALTH.length())),
                            q.parameters()));
                } else {
                    response = text(HttpResponseStatus.NOT_FOUND, "not found");
                }
                response.headers().set("X-Consul-Index", Long.toString(index));
            }
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            var f = ctx.writeAndFlush(response);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            request.release();
        }
    }

    /** Under the lock. {@code {"web": ["v1"], ...}}: every service with the union of its instances' tags. */
    private Map<String, List<String>> catalog() {
        Map<String, List<String>> out = new TreeMap<>();
        out.put("consul", new ArrayList<>());
        for (Instance i : instances.values()) {
            List<String> tags = out.computeIfAbsent(i.service(), k -> new ArrayList<>());
            for (String t : i.tags()) {
                if (!tags.contains(t)) {
                    tags.add(t);
                }
            }
        }
        return out;
    }

    /** Under the lock. The entries of {@code /v1/health/service/{name}}, as Consul's documentation shows them. */
    private List<Map<String, Object>> health(String service, Map<String, List<String>> query) {
        boolean passing = query.containsKey("passing");
        String tag = query.containsKey("tag") ? query.get("tag").get(0) : null;
        List<Map<String, Object>> out = new ArrayList<>();
        for (Instance i : instances.values()) {
            if (!i.service().equals(service) || (tag != null && !i.tags().contains(tag))
                    || (passing && i.checks().values().stream().anyMatch(s -> !s.equals("passing")))) {
                continue;
            }
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("ID", "40e4a748-2192-161a-0510-9bf59fe950b5");
            node.put("Node", i.node());
            node.put("Address", i.nodeAddress());
            node.put("Datacenter", "dc1");
            node.put("TaggedAddresses", Map.of("lan", i.nodeAddress(), "wan", i.nodeAddress()));
            node.put("Meta", Map.of("instance_type", "t2.medium"));
            Map<String, Object> svc = new LinkedHashMap<>();
            svc.put("ID", i.id());
            svc.put("Service", i.service());
            svc.put("Tags", i.tags());
            svc.put("Address", i.address());
            svc.put("TaggedAddresses", Map.of());
            svc.put("Meta", null);
            svc.put("Port", i.port());
            svc.put("Weights", i.weights());
            svc.put("Namespace", "default");
            List<Map<String, Object>> checks = new ArrayList<>();
            for (Map.Entry<String, String> c : i.checks().entrySet()) {
                boolean nodeCheck = c.getKey().equals("serfHealth");
                Map<String, Object> check = new LinkedHashMap<>();
                check.put("Node", i.node());
                check.put("CheckID", c.getKey());
                check.put("Name", nodeCheck ? "Serf Health Status" : "Service '" + i.service() + "' check");
                check.put("Status", c.getValue());
                check.put("Notes", "");
                check.put("Output", "");
                check.put("ServiceID", nodeCheck ? "" : i.id());
                check.put("ServiceName", nodeCheck ? "" : i.service());
                check.put("ServiceTags", nodeCheck ? List.of() : i.tags());
                check.put("Namespace", "default");
                checks.add(check);
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("Node", node);
            entry.put("Service", svc);
            entry.put("Checks", checks);
            out.add(entry);
        }
        return out;
    }

    private static FullHttpResponse json(Object body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(JSON.writeValueAsBytes(body)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return r;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }
}
