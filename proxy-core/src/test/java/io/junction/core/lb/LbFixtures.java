package io.junction.core.lb;

import io.junction.core.clock.NanoClock;
import io.junction.core.model.Endpoint;
import io.junction.core.model.LbPolicy;
import io.junction.core.model.Protocol;
import io.junction.core.model.ServiceKey;
import io.junction.core.model.ServiceSpec;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Backends, specs and client addresses for picker tests. Stateless; thread-safe. */
final class LbFixtures {
    private LbFixtures() {
    }

    /** {@code n} backends of weight 1 on 127.0.0.1, ports 20000.. (never connected to). */
    static List<Backend> backends(int n) {
        List<Backend> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(new Backend(Endpoint.of("127.0.0.1", 20_000 + i)));
        }
        return list;
    }

    /** {@code n} backends of weight 1 on 127.0.0.1, ports 20000.., reading time from {@code clock}. */
    static List<Backend> backends(int n, NanoClock clock) {
        List<Backend> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(new Backend(Endpoint.of("127.0.0.1", 20_000 + i), clock));
        }
        return list;
    }

    /** One backend per weight, on 127.0.0.1, ports 20000.. . */
    static List<Backend> weighted(int... weights) {
        List<Backend> list = new ArrayList<>(weights.length);
        for (int i = 0; i < weights.length; i++) {
            list.add(new Backend(Endpoint.of("127.0.0.1", 20_000 + i).withWeight(weights[i])));
        }
        return list;
    }

    static ServiceSpec spec(LbPolicy policy) {
        return ServiceSpec.of(ServiceKey.of("svc", Protocol.TCP), new InetSocketAddress("127.0.0.1", 0), policy);
    }

    static Picker picker(LbPolicy policy, List<Backend> backends) {
        return Pickers.create(spec(policy), backends, null);
    }

    /** The client address 10.x.y.z for {@code i} (an address value only; nothing connects to it). */
    static InetAddress client(int i) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("i: " + i + " (expected: a valid address index)", e);
        }
    }

    static PickContext context(int clientIndex) {
        return new PickContext(client(clientIndex));
    }

    /** Index of the backend in {@code list} (by identity), or -1. */
    static int indexOf(List<Backend> list, Backend b) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
