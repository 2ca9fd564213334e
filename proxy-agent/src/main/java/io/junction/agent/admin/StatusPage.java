package io.junction.agent.admin;

import java.util.List;
import java.util.Map;

/** Renders the admin status page: a plain HTML table per service. Stateless. */
final class StatusPage {
    private StatusPage() {
    }

    static String render(Map<String, Object> status, List<Map<String, Object>> services) {
        StringBuilder h = new StringBuilder(4096);
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Junction</title>")
                .append("<meta http-equiv=\"refresh\" content=\"5\">")
                .append("<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1.5em}")
                .append("td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#eee}")
                .append(".no{color:#b00}.yes{color:#070}</style></head><body>");
        h.append("<h1>Junction ").append(esc(status.get("version"))).append("</h1><p>")
                .append(Boolean.TRUE.equals(status.get("ready")) ? "<b class=yes>ready</b>"
                        : "<b class=no id=not-ready>not ready: " + esc(status.get("notReadyReason")) + "</b>")
                .append(" &middot; transport ").append(esc(status.get("transport")))
                .append(" &middot; up ").append(AdminRoutes.formatUptime(((Number) status.get("uptimeSeconds")).longValue()))
                .append(" &middot; snapshot v").append(esc(status.get("snapshotVersion")))
                .append(" &middot; <a href=\"/metrics\">metrics</a> &middot; <a href=\"/api/services\">services JSON</a>")
                .append(" &middot; <a href=\"/api/status\">status JSON</a></p>");
        h.append("<h2>Sources</h2><table><tr><th>source</th><th>synced</th><th>updates</th><th>errors</th>")
                .append("<th>last error</th></tr>");
        for (Object o : (List<?>) status.get("sources")) {
            Map<?, ?> s = (Map<?, ?>) o;
            h.append("<tr><td>").append(esc(s.get("name"))).append("</td><td>").append(esc(s.get("synced")))
                    .append("</td><td>").append(esc(s.get("updates"))).append("</td><td>").append(esc(s.get("errors")))
                    .append("</td><td class=no>").append(esc(s.get("lastError") == null ? "" : s.get("lastError")))
                    .append("</td></tr>");
        }
        h.append("</table>");
        for (Map<String, Object> svc : services) {
            Map<?, ?> c = (Map<?, ?>) svc.get("counters");
            boolean udp = "udp".equals(svc.get("protocol"));
            h.append("<h2>").append(esc(svc.get("service"))).append("</h2><p>listen ").append(esc(svc.get("listen")))
                    .append(" &middot; lb ").append(esc(svc.get("lb")));
            if (udp) {
                h.append(" &middot; sessions ").append(esc(c.get("udpSessionsActive")))
                        .append(" &middot; created ").append(esc(c.get("udpSessionsCreated")));
            } else {
                h.append(" &middot; active ").append(esc(c.get("connectionsActive")))
                        .append(" &middot; accepted ").append(esc(c.get("connectionsAccepted")));
            }
            h.append(" &middot; failures ").append(esc(nonZero((Map<?, ?>) c.get("failures")))).append("</p>");
            h.append("<table><tr><th>endpoint</th><th>node</th><th>weight</th><th>eligible</th><th>why</th><th>active</th>")
                    .append("<th>total</th><th>connect failures</th></tr>");
            for (Object o : (List<?>) svc.get("endpoints")) {
                Map<?, ?> e = (Map<?, ?>) o;
                boolean eligible = Boolean.TRUE.equals(e.get("eligible"));
                h.append("<tr><td>").append(esc(e.get("address"))).append("</td><td>").append(esc(e.get("node")))
                        .append("</td><td>").append(esc(e.get("weight")))
                        .append("</td><td class=").append(eligible ? "yes" : "no").append('>').append(eligible)
                        .append("</td><td>").append(esc(e.get("why"))).append("</td><td>")
                        .append(esc(e.get("activeConnections"))).append("</td><td>")
                        .append(esc(e.get("totalConnections"))).append("</td><td>")
                        .append(esc(e.get("connectFailures"))).append("</td></tr>");
            }
            h.append("</table>");
        }
        return h.append("</body></html>").toString();
    }

    /** The failure reasons that happened, {@code reason=n, ...}; "none" when none did. */
    private static String nonZero(Map<?, ?> failures) {
        StringBuilder b = new StringBuilder();
        failures.forEach((k, v) -> {
            if (v instanceof Number n && n.longValue() > 0) {
                b.append(b.length() == 0 ? "" : ", ").append(k).append('=').append(n);
            }
        });
        return b.length() == 0 ? "none" : b.toString();
    }

    private static String esc(Object o) {
        if (o == null) {
            return "";
        }
        String s = o.toString();
        StringBuilder b = new StringBuilder(s.length());
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
