package io.junction.agent.discovery.eureka;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The eureka-test-server jar's registrar as a child process: it registers instances through the real
 * {@code com.netflix.eureka:eureka-client} (a {@code DiscoveryClient} per instance, 1 s lease renewals), driven by one
 * command line per call. Test-only.
 */
public final class EurekaRegistrar implements AutoCloseable {
    private static final long REPLY_TIMEOUT_SECONDS = 60;
    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    public EurekaRegistrar(String serviceUrl, Path log) throws IOException {
        process = new ProcessBuilder(EurekaServerProcess.java("registrar", serviceUrl))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Registers instance {@code id} of {@code app}, UP, and returns once the server has it. */
    public void register(String id, String app, int port, boolean portEnabled, int securePort, boolean secureEnabled)
            throws Exception {
        call("register " + id + " " + app + " 127.0.0.1 " + port + " " + portEnabled + " " + securePort + " "
                + secureEnabled);
    }

    /** The instance's own status (UP, DOWN, STARTING), which its client registers again. */
    public void status(String id, String status) throws Exception {
        call("status " + id + " " + status);
    }

    /** The server-side status override (OUT_OF_SERVICE, UP), as an operator sets it. */
    public void override(String id, String status) throws Exception {
        call("override " + id + " " + status);
    }

    /** Shuts the instance's client down, which cancels its registration. */
    public void deregister(String id) throws Exception {
        call("deregister " + id);
    }

    private void call(String command) throws Exception {
        in.write(command + "\n");
        in.flush();
        String reply = CompletableFuture.supplyAsync(this::readReply).get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (reply == null || !reply.startsWith("ok")) {
            throw new IllegalStateException(command + " -> " + reply);
        }
    }

    private String readReply() {
        try {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ok") || line.startsWith("error")) {
                    return line;
                }
            }
            return null;
        } catch (IOException e) {
            return "error " + e;
        }
    }

    /** Closes its input, on which it shuts every client down (deregistering them), then waits for it to exit. */
    @Override
    public void close() throws IOException {
        if (!process.isAlive()) {
            return;
        }
        in.close();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
