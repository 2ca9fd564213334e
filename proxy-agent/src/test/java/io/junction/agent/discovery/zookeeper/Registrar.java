package io.junction.agent.discovery.zookeeper;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A Java service registering itself the Curator way: its own ZooKeeper session and Curator's {@link ServiceDiscovery}
 * (dynamic instances are ephemeral znodes of that session). Test-only.
 */
public final class Registrar implements AutoCloseable {
    private final CuratorFramework client;
    private final ServiceDiscovery<Payload> discovery;
    private final Map<String, ServiceInstance<Payload>> registered = new ConcurrentHashMap<>();

    public Registrar(String connect, String basePath) throws Exception {
        client = CuratorFrameworkFactory.builder().connectString(connect).sessionTimeoutMs(10_000)
                .connectionTimeoutMs(5_000).retryPolicy(new ExponentialBackoffRetry(200, 10, 2_000)).build();
        client.start();
        if (!client.blockUntilConnected(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no ZooKeeper at " + connect);
        }
        discovery = ServiceDiscoveryBuilder.builder(Payload.class).client(client).basePath(basePath)
                .serializer(serializer()).build();
        discovery.start();
    }

    /**
     * Curator's serializer as a service that uses {@code enabled} sets it up: compatibleSerializationMode off, since
     * the default (Curator 4's format, for old readers) leaves {@code enabled} out.
     */
    public static JsonInstanceSerializer<Payload> serializer() {
        return new JsonInstanceSerializer<>(Payload.class, false);
    }

    /** Registers (or updates) a dynamic instance on 127.0.0.1. */
    public ServiceInstance<Payload> register(String service, String id, int port) throws Exception {
        return register(instance(service, id, port, null, true));
    }

    public static ServiceInstance<Payload> instance(String service, String id, Integer port, String protocol,
                                                    boolean enabled) throws Exception {
        return ServiceInstance.<Payload>builder().name(service).id(id).address("127.0.0.1").port(port)
                .payload(protocol == null ? null : new Payload(protocol)).enabled(enabled)
                .serviceType(ServiceType.DYNAMIC).build();
    }

    public ServiceInstance<Payload> register(ServiceInstance<Payload> instance) throws Exception {
        if (registered.putIfAbsent(instance.getName() + "/" + instance.getId(), instance) == null) {
            discovery.registerService(instance);
        } else {
            registered.put(instance.getName() + "/" + instance.getId(), instance);
            discovery.updateService(instance);
        }
        return instance;
    }

    public void unregister(String service, String id) throws Exception {
        ServiceInstance<Payload> instance = registered.remove(service + "/" + id);
        discovery.unregisterService(instance);
    }

    public CuratorFramework client() {
        return client;
    }

    /** Ends the session without unregistering: its ephemeral instances go with it (the server deletes them). */
    public void endSession() {
        client.close();
    }

    /** Unregisters what is left, then ends the session. */
    @Override
    public void close() {
        try {
            discovery.close();
        } catch (Exception e) {
            // Closing unregisters; the client's close below ends the session either way.
            client.close();
            return;
        }
        client.close();
    }

    /** What a service puts in its instances' payload: the protocol Junction reads. */
    public static final class Payload {
        private String protocol;

        public Payload() {
        }

        public Payload(String protocol) {
            this.protocol = protocol;
        }

        public String getProtocol() {
            return protocol;
        }

        public void setProtocol(String protocol) {
            this.protocol = protocol;
        }
    }
}
