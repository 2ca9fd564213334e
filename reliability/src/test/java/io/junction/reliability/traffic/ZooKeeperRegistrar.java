package io.junction.reliability.traffic;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A service registrar for scenario 19: its own ZooKeeper session, each instance an ephemeral znode
 * {@code /services/{service}/{id}} holding the JSON Curator's service discovery writes, kept by Curator's
 * {@link PersistentNode}, which creates it again after the session is lost and a new one starts (what a registering
 * service does after its session expired). Thread-safe.
 */
public final class ZooKeeperRegistrar implements AutoCloseable {
    private final CuratorFramework client;
    private final Map<String, PersistentNode> nodes = new ConcurrentHashMap<>();

    /** Connects to {@code connect} with {@code sessionTimeout}; fails when ZooKeeper does not answer within 10 s. */
    public ZooKeeperRegistrar(String connect, Duration sessionTimeout) throws InterruptedException {
        client = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs((int) sessionTimeout
                .toMillis()).connectionTimeoutMs(2000).retryPolicy(new ExponentialBackoffRetry(100, 29, 500))
                .build();
        client.start();
        if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
            client.close();
            throw new IllegalStateException("no ZooKeeper at " + connect);
        }
    }

    /** Registers instance {@code id} of {@code service} at {@code address:port} (created in the background). */
    public void register(String service, String id, String address, int port) {
        PersistentNode node = new PersistentNode(client, CreateMode.EPHEMERAL, false, "/services/" + service + "/"
                + id, json(service, id, address, port));
        if (nodes.putIfAbsent(service + "/" + id, node) != null) {
            throw new IllegalStateException(service + "/" + id + " already registered");
        }
        node.start();
    }

    /** Unregisters instance {@code id}: its znode is deleted. */
    public void unregister(String service, String id) throws IOException {
        PersistentNode node = nodes.remove(service + "/" + id);
        if (node != null) {
            node.close();
        }
    }

    /** The session id in use now (0 while there is none). */
    public long sessionId() throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /** Curator's ServiceInstance JSON, as its JsonInstanceSerializer writes it for a dynamic instance. */
    private static byte[] json(String service, String id, String address, int port) {
        return ("{\"name\":\"" + service + "\",\"id\":\"" + id + "\",\"address\":\"" + address + "\",\"port\":" + port
                + ",\"sslPort\":null,\"payload\":null,\"registrationTimeUTC\":" + System.currentTimeMillis()
                + ",\"serviceType\":\"DYNAMIC\",\"uriSpec\":null,\"enabled\":true}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        for (PersistentNode n : nodes.values()) {
            n.close();
        }
        client.close();
    }
}
