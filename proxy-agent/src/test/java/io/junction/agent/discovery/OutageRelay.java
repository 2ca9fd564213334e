package io.junction.agent.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback between an agent and a discovery source (API server, ZooKeeper, registry) that a test
 * (here, and the reliability suite's source outage scenarios 18 to 21) breaks in two ways, while the source itself
 * keeps running and taking changes:
 * <ul>
 *   <li>{@link #cut()}: the source is gone for the agent (live connections closed, new ones refused) until
 *       {@link #restore()} listens again on the same port;</li>
 *   <li>{@link #freeze()}: the connections open now stop forwarding in both directions but stay open (no FIN, no RST,
 *       no byte): a watch gone silent, as behind a NAT or load balancer that lost the flow. Connections opened after
 *       it forward normally, so whatever bounds the silence on the agent's side is what ends it.</li>
 * </ul>
 * One thread per direction of each connection (daemons); a frozen pump parks until its sockets close.
 */
public final class OutageRelay implements AutoCloseable {
    private final int target;
    private final int port;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;

    /** A relay from a free loopback port to 127.0.0.1:{@code target}. */
    public OutageRelay(int target) throws IOException {
        this.target = target;
        this.server = listen(0);
        this.port = server.getLocalPort();
        acceptLoop(server);
    }

    /** Where the agent connects. */
    public int port() {
        return port;
    }

    /** The source vanishes for the agent: live connections closed, new ones refused until {@link #restore()}. */
    public void cut() throws IOException {
        server.close();
        for (Link l : links) {
            l.close();
        }
        links.clear();
    }

    /** The source is reachable again on the same port. */
    public void restore() throws IOException {
        server = listen(port);
        acceptLoop(server);
    }

    /** Every connection open now goes silent (stays open, forwards nothing); returns how many were frozen. */
    public int freeze() {
        int n = 0;
        for (Link l : links) {
            l.frozen = true;
            n++;
        }
        return n;
    }

    /** Connections open now, frozen or not. */
    public int openLinks() {
        return links.size();
    }

    private static ServerSocket listen(int p) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 128);
        return s;
    }

    private void acceptLoop(ServerSocket s) {
        daemon("outage-relay-accept-" + port, () -> {
            while (!s.isClosed()) {
                Socket client;
                try {
                    client = s.accept();
                } catch (IOException e) {
                    return; // cut or closed
                }
                try {
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                    Link l = new Link(client, upstream);
                    links.add(l);
                    daemon("outage-relay-up-" + port, () -> l.pump(client, upstream));
                    daemon("outage-relay-down-" + port, () -> l.pump(upstream, client));
                } catch (IOException e) {
                    closeQuietly(client); // the source itself is down: the agent sees a refusal-like close
                }
            }
        });
    }

    /** One relayed connection; {@code frozen} stops both pumps from forwarding. */
    private final class Link {
        final Socket client;
        final Socket upstream;
        volatile boolean frozen;

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void pump(Socket from, Socket to) {
            byte[] buffer = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (frozen) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
                if (frozen) {
                    // Silent from here on: keep both sockets open, read nothing more, until the link is closed.
                    while (!from.isClosed() && !to.isClosed()) {
                        Thread.sleep(200);
                    }
                    return;
                }
            } catch (IOException e) {
                // closed by cut() or by either side
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            close();
        }

        void close() {
            links.remove(this);
            closeQuietly(client);
            closeQuietly(upstream);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
