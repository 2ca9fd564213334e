package io.junction.core.forward.tcp;

import io.junction.core.lb.Backend;
import io.junction.core.metrics.FailureReason;
import io.junction.core.model.HostPort;
import io.junction.core.model.ServiceKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The access log: one line per finished (or refused) TCP connection on the {@code junction.access} logger, with
 * {@code service}, {@code client}, {@code backend}, {@code bytes_in}, {@code bytes_out}, {@code duration_ms},
 * {@code result} and {@code reason}. Whether lines are written, and where, is the logging config's business.
 *
 * <p>Thread-safe.
 */
final class AccessLog {
    private static final Logger access = LoggerFactory.getLogger("junction.access");

    private AccessLog() {
    }

    static void finished(ServiceKey service, SocketAddress client, Backend backend, long bytesIn, long bytesOut,
                         long durationNanos, String result, FailureReason reason) {
        if (access.isInfoEnabled()) {
            access.info("service={} client={} backend={} bytes_in={} bytes_out={} duration_ms={} result={} reason={}",
                    service, HostPort.format(client), backend == null ? "-" : backend.endpoint().hostPort(), bytesIn,
                    bytesOut, TimeUnit.NANOSECONDS.toMillis(durationNanos), result,
                    reason == null ? "-" : reason.tag());
        }
    }

    static void rejected(ServiceKey service, SocketAddress client, FailureReason reason) {
        if (access.isInfoEnabled()) {
            access.info("service={} client={} backend=- bytes_in=0 bytes_out=0 duration_ms=0 result=rejected reason={}",
                    service, HostPort.format(client), reason.tag());
        }
    }
}
