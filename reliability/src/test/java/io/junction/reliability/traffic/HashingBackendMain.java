package io.junction.reliability.traffic;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * {@link HashingBackend} in its own JVM, for scenarios whose backend lives in a network namespace. Prints
 * {@code listening}, then one line per finished stream: {@code end ID RECEIVED_BYTES RECEIVED_SHA SENT_BYTES
 * SENT_SHA}, or {@code error ID REASON}; exits after STREAMS streams or 30 minutes. Usage:
 * {@code HashingBackendMain IP PORT BYTES_EACH_WAY STREAMS}.
 */
public final class HashingBackendMain {
    private HashingBackendMain() {
    }

    public static void main(String[] args) throws Exception {
        long bytes = Long.parseLong(args[2]);
        int streams = Integer.parseInt(args[3]);
        try (HashingBackend backend = new HashingBackend(bytes,
                new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])))) {
            System.out.println("listening");
            Set<Long> printed = new HashSet<>();
            long deadline = System.nanoTime() + 30L * 60 * 1_000_000_000L;
            while (printed.size() < streams && System.nanoTime() < deadline) {
                for (Map.Entry<Long, HashingBackend.StreamEnd> e : backend.ends().entrySet()) {
                    if (printed.add(e.getKey())) {
                        HashingBackend.StreamEnd end = e.getValue();
                        System.out.println("end " + e.getKey() + " " + end.received().bytes() + " "
                                + end.received().sha256() + " " + end.sent().bytes() + " " + end.sent().sha256());
                    }
                }
                for (Map.Entry<Long, String> e : backend.errors().entrySet()) {
                    if (printed.add(e.getKey())) {
                        System.out.println("error " + e.getKey() + " " + e.getValue().replace(' ', '_'));
                    }
                }
                Thread.sleep(50);
            }
            System.out.flush();
        }
    }
}
