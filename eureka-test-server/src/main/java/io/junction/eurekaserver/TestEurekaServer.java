package io.junction.eurekaserver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.netflix.eureka.server.EnableEurekaServer;

/**
 * A plain Spring Cloud Netflix Eureka server (settings in application.properties), or, with the first argument
 * {@code registrar}, the {@link Registrar} that registers instances with one through eureka-client.
 */
@SpringBootApplication
@EnableEurekaServer
public class TestEurekaServer {
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("registrar")) {
            Registrar.run(args[1]);
            return;
        }
        SpringApplication.run(TestEurekaServer.class, args);
    }
}
