package io.junction.reliability.frame;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, as the agent's /metrics serves it. Stateless. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The sum of every sample of metric {@code name} in {@code body} whose labels contain each of {@code labels}
     * (written {@code key="value"}); 0 when there is none.
     */
    public static double sum(String body, String name, String... labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$").matcher(body);
        double sum = 0;
        while (m.find()) {
            String set = m.group(1) == null ? "" : m.group(1);
            boolean all = true;
            for (String l : labels) {
                all &= set.contains(l);
            }
            if (all) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }
}
