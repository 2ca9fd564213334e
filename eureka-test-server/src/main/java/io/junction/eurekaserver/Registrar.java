package io.junction.eurekaserver;

import com.netflix.appinfo.ApplicationInfoManager;
import com.netflix.appinfo.InstanceInfo;
import com.netflix.appinfo.InstanceInfo.InstanceStatus;
import com.netflix.appinfo.providers.EurekaConfigBasedInstanceInfoProvider;
import com.netflix.discovery.DiscoveryClient;
import com.netflix.discovery.shared.resolver.DefaultEndpoint;
import com.netflix.discovery.shared.transport.EurekaHttpClient;
import com.netflix.discovery.shared.transport.EurekaHttpResponse;
import com.netflix.discovery.shared.transport.TransportClientFactory;
import org.springframework.cloud.commons.util.InetUtils;
import org.springframework.cloud.commons.util.InetUtilsProperties;
import org.springframework.cloud.netflix.eureka.EurekaClientConfigBean;
import org.springframework.cloud.netflix.eureka.EurekaInstanceConfigBean;
import org.springframework.cloud.netflix.eureka.RestClientTimeoutProperties;
import org.springframework.cloud.netflix.eureka.http.DefaultEurekaClientHttpRequestFactorySupplier;
import org.springframework.cloud.netflix.eureka.http.RestClientDiscoveryClientOptionalArgs;
import org.springframework.cloud.netflix.eureka.http.RestClientTransportClientFactories;
import org.springframework.cloud.netflix.eureka.http.RestClientTransportClientFactory;
import org.springframework.web.client.RestClient;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registers instances with a Eureka server through the real {@code com.netflix.eureka:eureka-client}: one
 * {@link DiscoveryClient} per instance, renewing its lease every second, as a service using Eureka would. Driven by
 * lines on standard input, one reply line each ({@code ok ...} or {@code error ...}):
 * <ul>
 *   <li>{@code register ID APP IP PORT PORT_ENABLED SECURE_PORT SECURE_ENABLED [PROTOCOL]}: a new client, registered
 *       UP before the reply;</li>
 *   <li>{@code status ID STATUS}: the instance's own status (DOWN, STARTING, UP), registered again by the client;</li>
 *   <li>{@code override ID STATUS}: the server-side status override an operator sets (OUT_OF_SERVICE, UP) through
 *       eureka-client's {@code EurekaHttpClient.statusUpdate};</li>
 *   <li>{@code deregister ID}: the client shuts down, which cancels its lease.</li>
 * </ul>
 * Run as {@code java -jar eureka-test-server.jar registrar http://127.0.0.1:PORT/eureka/}.
 */
final class Registrar {
    private final String serviceUrl;
    private final Map<String, DiscoveryClient> clients = new HashMap<>();
    private final Map<String, ApplicationInfoManager> managers = new HashMap<>();
    /** The HTTP transport Spring Cloud services give eureka-client (its Jersey 3 one cannot read a 404 to a renewal
     *  from this server, so it would never register again after a server restart). */
    private final DefaultEurekaClientHttpRequestFactorySupplier requests =
            new DefaultEurekaClientHttpRequestFactorySupplier(new RestClientTimeoutProperties(), java.util.Set.of());
    private final TransportClientFactory adminFactory;
    private final EurekaHttpClient admin;

    private Registrar(String serviceUrl) {
        this.serviceUrl = serviceUrl;
        this.adminFactory = new RestClientTransportClientFactory(Optional.empty(), Optional.empty(), requests,
                RestClient::builder);
        this.admin = adminFactory.newClient(new DefaultEndpoint(serviceUrl));
    }

    static void run(String serviceUrl) throws Exception {
        // Standard output carries the replies only; eureka-client's log lines go to standard error.
        PrintStream replies = System.out;
        System.setOut(System.err);
        Registrar r = new Registrar(serviceUrl);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        replies.println("ready");
        replies.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String reply;
            try {
                reply = r.handle(line.trim().split("\\s+"));
            } catch (RuntimeException e) {
                reply = "error " + e;
            }
            replies.println(reply);
            replies.flush();
        }
        r.shutdown();
    }

    private String handle(String[] a) {
        switch (a[0]) {
            case "register":
                return register(a);
            case "status":
                managers.get(a[1]).setInstanceStatus(InstanceStatus.valueOf(a[2]));
                return "ok " + a[1];
            case "override": {
                InstanceInfo info = managers.get(a[1]).getInfo();
                EurekaHttpResponse<Void> resp = admin.statusUpdate(info.getAppName(), info.getId(),
                        InstanceStatus.valueOf(a[2]), info);
                return resp.getStatusCode() == 200 ? "ok " + a[1] : "error HTTP " + resp.getStatusCode();
            }
            case "deregister":
                clients.remove(a[1]).shutdown();
                managers.remove(a[1]);
                return "ok " + a[1];
            default:
                return "error unknown command " + a[0];
        }
    }

    private String register(String[] a) {
        EurekaInstanceConfigBean instance = new EurekaInstanceConfigBean(
                new InetUtils(new InetUtilsProperties()));
        instance.setInstanceId(a[1]);
        instance.setAppname(a[2]);
        instance.setVirtualHostName(a[2].toLowerCase(java.util.Locale.ROOT));
        instance.setSecureVirtualHostName(a[2].toLowerCase(java.util.Locale.ROOT));
        instance.setIpAddress(a[3]);
        instance.setHostname(a[3]);
        instance.setPreferIpAddress(true);
        instance.setNonSecurePort(Integer.parseInt(a[4]));
        instance.setNonSecurePortEnabled(Boolean.parseBoolean(a[5]));
        instance.setSecurePort(Integer.parseInt(a[6]));
        instance.setSecurePortEnabled(Boolean.parseBoolean(a[7]));
        instance.setInstanceEnabledOnit(true);
        instance.setLeaseRenewalIntervalInSeconds(1);
        instance.setLeaseExpirationDurationInSeconds(2);
        Map<String, String> metadata = new HashMap<>();
        if (a.length > 8) {
            metadata.put("protocol", a[8]);
        }
        instance.setMetadataMap(metadata);
        InstanceInfo info = new EurekaConfigBasedInstanceInfoProvider(instance).get();
        ApplicationInfoManager manager = new ApplicationInfoManager(instance, info);

        EurekaClientConfigBean client = new EurekaClientConfigBean();
        client.setServiceUrl(Map.of(EurekaClientConfigBean.DEFAULT_ZONE, serviceUrl));
        client.setFetchRegistry(false);
        client.setRegisterWithEureka(true);
        client.setShouldEnforceRegistrationAtInit(true);
        client.setInitialInstanceInfoReplicationIntervalSeconds(0);
        client.setInstanceInfoReplicationIntervalSeconds(1);
        client.setOnDemandUpdateStatusChange(true);
        // Renew every second after an outage too, not with eureka-client's back-off up to ten times that.
        client.setHeartbeatExecutorExponentialBackOffBound(1);
        RestClientDiscoveryClientOptionalArgs args = new RestClientDiscoveryClientOptionalArgs(requests,
                RestClient::builder);
        DiscoveryClient discovery = new DiscoveryClient(manager, client, new RestClientTransportClientFactories(args),
                args);
        clients.put(a[1], discovery);
        managers.put(a[1], manager);
        return "ok " + a[1];
    }

    private void shutdown() {
        clients.values().forEach(DiscoveryClient::shutdown);
        admin.shutdown();
        adminFactory.shutdown();
    }
}
