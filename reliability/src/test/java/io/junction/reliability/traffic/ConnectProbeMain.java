package io.junction.reliability.traffic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A client for scenarios whose agent runs inside a network namespace: started there too, it makes COUNT connections
 * one after another to HOST:PORT, each reading the one-byte greeting of {@link EchoBackendMain} and doing one echo
 * round trip, and prints one line per connection: {@code ok MILLIS BACKEND} or {@code fail MILLIS REASON}. It first
 * waits (up to 60 s) until one connection succeeds, so that it can start with the agent. Usage:
 * {@code ConnectProbeMain HOST PORT COUNT}.
 */
public final class ConnectProbeMain {
    private ConnectProbeMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        long waitUntil = System.nanoTime() + 60_000_000_000L;
        while (!attempt(host, port).startsWith("ok")) {
            if (System.nanoTime() > waitUntil) {
                System.out.println("never-up");
                return;
            }
            Thread.sleep(200);
        }
        System.out.println("up");
        for (int i = 0; i < count; i++) {
            System.out.println(attempt(host, port));
        }
        System.out.println("done");
    }

    private static String attempt(String host, int port) {
        long start = System.nanoTime();
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            int backend = in.read();
            byte[] out = "probe".getBytes(StandardCharsets.US_ASCII);
            OutputStream os = s.getOutputStream();
            os.write(out);
            os.flush();
            boolean echoed = Arrays.equals(in.readNBytes(out.length), out);
            double ms = (System.nanoTime() - start) / 1e6;
            return backend >= 0 && echoed ? "ok " + ms + " " + backend : "fail " + ms + " closed";
        } catch (IOException e) {
            return "fail " + (System.nanoTime() - start) / 1e6 + " " + e.getClass().getSimpleName();
        }
    }
}
