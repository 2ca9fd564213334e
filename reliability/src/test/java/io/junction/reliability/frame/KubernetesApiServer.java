package io.junction.reliability.frame;

import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.junction.agent.discovery.kubernetes.MockApi;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fabric8's mock API server in CRUD mode on loopback for the source outage scenarios (18, 21), with a hold on the
 * watches it serves: {@link #muteOpenWatches()} keeps every open watch connected but drops its events (the agent
 * misses what changes, as when the API server's history was compacted under a lagging watch), and
 * {@link #expireOpenWatches()} answers every open watch with the ERROR event a real API server sends for a resource
 * version that is too old ({@code Status} with code 410, reason {@code Expired}) and closes it, so the informer must
 * relist.
 *
 * <p>The server is proxy-agent's test {@link MockApi}, with this class's dispatcher. Thread-safe: the open watches are
 * a concurrent set; each is used by the server's threads and by {@link #muteOpenWatches()}/{@link #expireOpenWatches()}.
 */
public final class KubernetesApiServer implements AutoCloseable {
    /** What kube-apiserver sends on a watch whose resource version has been compacted away. */
    static final String GONE_EVENT = """
            {"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",\
            "message":"too old resource version: 1 (2)","reason":"Expired","code":410}}""";

    private final Set<HeldWatch> open = ConcurrentHashMap.newKeySet();
    private final Queue<String> reads = new ConcurrentLinkedQueue<>();
    private final MockApi server = new MockApi(new Dispatcher());

    /** A new client of this server (for the test to make changes); the caller closes it. */
    public NamespacedKubernetesClient client() {
        return server.client();
    }

    public int port() {
        return server.port();
    }

    /** Watches open now whose path contains {@code resource} (e.g. {@code endpointslices}). */
    public int openWatches(String resource) {
        return (int) open.stream().filter(w -> w.path.contains(resource)).count();
    }

    /** Every watch open now stays connected but delivers nothing more; returns how many. */
    public int muteOpenWatches() {
        open.forEach(w -> w.muted = true);
        return open.size();
    }

    /** Every watch open now gets a 410 Gone ERROR event and is closed; returns how many. */
    public int expireOpenWatches() {
        int n = 0;
        for (HeldWatch w : open) {
            WebSocket s = w.socket;
            if (s != null) {
                s.send(GONE_EVENT);
                s.close(1000, "");
                n++;
            }
            open.remove(w);
        }
        return n;
    }

    @Override
    public void close() {
        server.close();
    }

    /** GET requests without {@code watch=true} (lists and reads) so far whose path contains {@code resource}. */
    public int lists(String resource) {
        return (int) reads.stream().filter(p -> p.contains(resource)).count();
    }

    /** The CRUD dispatcher, its watches wrapped so that they can be held, its reads counted. */
    private final class Dispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse handleGet(String path) {
            if (!path.contains("watch=true")) {
                reads.add(path);
            }
            return super.handleGet(path);
        }

        @Override
        public MockResponse handleWatch(String path) {
            WebSocketListener crud = super.handleWatch(path).getWebSocketListener();
            return new MockResponse().withWebSocketUpgrade(new HeldWatch(path, crud));
        }
    }

    /** One watch: the CRUD dispatcher's listener, sending through a socket that drops events while muted. */
    private final class HeldWatch extends WebSocketListener {
        final String path;
        final WebSocketListener crud;
        volatile WebSocket socket;
        volatile boolean muted;

        HeldWatch(String path, WebSocketListener crud) {
            this.path = path;
            this.crud = crud;
        }

        @Override
        public void onBeforeAccept(WebSocket webSocket, Response response) {
            crud.onBeforeAccept(gate(webSocket), response);
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            socket = webSocket;
            open.add(this);
            crud.onOpen(gate(webSocket), response);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            crud.onMessage(gate(webSocket), text);
        }

        @Override
        public void onMessage(WebSocket webSocket, byte[] bytes) {
            crud.onMessage(gate(webSocket), bytes);
        }

        @Override
        public void onPing(WebSocket webSocket, byte[] payload) {
            crud.onPing(gate(webSocket), payload);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            open.remove(this);
            crud.onClosing(gate(webSocket), code, reason);
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            open.remove(this);
            crud.onClosed(gate(webSocket), code, reason);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            open.remove(this);
            crud.onFailure(gate(webSocket), t, response);
        }

        private WebSocket gate(WebSocket real) {
            return new WebSocket() {
                @Override
                public RecordedRequest request() {
                    return real.request();
                }

                @Override
                public boolean send(String text) {
                    return muted || real.send(text);
                }

                @Override
                public boolean send(byte[] bytes) {
                    return muted || real.send(bytes);
                }

                @Override
                public boolean close(int code, String reason) {
                    return real.close(code, reason);
                }
            };
        }
    }
}
