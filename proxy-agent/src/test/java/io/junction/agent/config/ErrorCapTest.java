package io.junction.agent.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Past {@link Problems#MAX_ERRORS} errors a file is reported with the first hundred, and a bad value found after them
 * must still stop its binder. Found by reliability scenario 22 (the config fuzzer): a key duplicated a hundred times
 * and then one bad value (its inputs were config/junction.yaml with {@code allowLoopback: true} repeated under
 * {@code discovery.registry}, docs examples with a repeated line) made the binders build with the missing value and
 * throw NullPointerException ({@code connectTimeout}, {@code acceptProxyProtocol}, {@code timeout}, {@code jitter},
 * {@code linkLocal}, {@code connect}, {@code connectionTimeout}), because the error count stopped at the cap.
 */
class ErrorCapTest {
    private static final ConfigLoader LOADER = new ConfigLoader(host -> {
        throw new UnknownHostException(host);
    });

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            services[0].connectTimeout         | services:\\n  - name: a\\n    listen: 127.0.0.1:10080\\n{DUPS}    connectTimeout: -1s\\n    endpoints: [127.0.0.1:18081]
            services[0].acceptProxyProtocol    | services:\\n  - name: a\\n    listen: 127.0.0.1:10080\\n{DUPS}    acceptProxyProtocol: 65536\\n    endpoints: [127.0.0.1:18081]
            defaults.healthCheck.jitter        | defaults:\\n  healthCheck:\\n    type: tcp\\n{DUPS}    jitter: 101%\\nservices: []
            defaults.healthCheck.timeout       | defaults:\\n  healthCheck:\\n    type: tcp\\n{DUPS}    timeout: []\\nservices: []
            discovery.registry.allowLinkLocal  | discovery:\\n  registry:\\n{DUPS}    allowLinkLocal: 65536\\nservices: []
            discovery.zookeeper.connect        | discovery:\\n  zookeeper:\\n{DUPS}    connect: '[]'\\nservices: []
            discovery.zookeeper.connectionTimeout | discovery:\\n  zookeeper:\\n    connect: zk1:2181\\n{DUPS}    connectionTimeout: -1s\\nservices: []
            """)
    void aBadValueAfterAHundredDuplicateKeysIsAConfigErrorNotANullPointer(String field, String template) {
        // 120 copies of one key at the same level: 119 duplicate-key errors before the bad value is read.
        String dups = "    dup: 1\n".repeat(120);
        String yaml = template.replace("\\n", "\n").replace("{DUPS}", dups);

        Throwable thrown = catchThrowable(() -> LOADER.parse(yaml, "cap.yaml"));

        assertThat(thrown).isInstanceOf(ConfigException.class);
        ConfigException e = (ConfigException) thrown;
        assertThat(e.errors()).hasSize(Problems.MAX_ERRORS + 1);
        assertThat(e.errors().get(Problems.MAX_ERRORS).message()).startsWith("too many errors");
    }
}
