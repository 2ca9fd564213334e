package io.junction.agent.node;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP echo backend to start as a process inside a test's network namespace ({@code ip netns exec}): a test JVM
 * cannot move its own sockets into another namespace. Thread per connection; runs until killed. Test-only.
 */
public final class NamespaceEcho {
    private NamespaceEcho() {
    }

    /**
     * {@code NamespaceEcho <ip> <port>}: TCP and UDP echo on that address. {@code NamespaceEcho udp-client <source-ip>
     * <ip> <port> <message>}: one datagram from a socket bound to the source address and connected to the target;
     * prints the answer, or exits 1 when none came within 2 s.
     */
    public static void main(String[] args) throws IOException {
        if (args[0].equals("udp-client")) {
            udpClient(args[1], args[2], Integer.parseInt(args[3]), args[4]);
            return;
        }
        Thread udp = new Thread(() -> udpEcho(args[0], Integer.parseInt(args[1])), "udp-echo");
        udp.setDaemon(true);
        udp.start();
        try (ServerSocket server = new ServerSocket(Integer.parseInt(args[1]), 50, InetAddress.getByName(args[0]))) {
            System.out.println("echo listening on " + server.getLocalSocketAddress());
            System.out.flush();
            while (true) {
                Socket s = server.accept();
                Thread t = new Thread(() -> echo(s), "echo");
                t.setDaemon(true);
                t.start();
            }
        }
    }

    private static void udpClient(String source, String ip, int port, String message) throws IOException {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getByName(source))) {
            socket.connect(InetAddress.getByName(ip), port);
            socket.setSoTimeout(2000);
            byte[] out = message.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            socket.send(new DatagramPacket(out, out.length));
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            socket.receive(in);
            System.out.print(new String(in.getData(), 0, in.getLength(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.net.SocketTimeoutException e) {
            System.exit(1);
        }
    }

    private static void udpEcho(String ip, int port) {
        try (DatagramSocket socket = new DatagramSocket(port, InetAddress.getByName(ip))) {
            byte[] buf = new byte[2048];
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            }
        } catch (IOException e) {
            System.out.println("udp echo stopped: " + e);
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // The client went away.
        }
    }
}
