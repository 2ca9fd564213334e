package io.junction.agent.discovery.nacos;

/**
 * The instance-list and login response examples of the Nacos documentation, copied verbatim (whitespace aside), so
 * that the parser is checked against what the documentation says a server sends.
 */
final class NacosDocBodies {
    /**
     * nacos.io, "Open API Guide" for 1.X (docs/v1/open-api, "Query instances", Response Example):
     * {@code GET /nacos/v1/ns/instance/list?serviceName=nacos.test.1}.
     */
    static final String V1_LIST = """
            {
              "name": "DEFAULT_GROUP@@nacos.test.1",\s
              "groupName": "DEFAULT_GROUP",\s
              "clusters": "",\s
              "cacheMillis": 10000,\s
              "hosts": [
                {
                  "instanceId": "10.10.10.10#8888#DEFAULT#DEFAULT_GROUP@@nacos.test.1",\s
                  "ip": "10.10.10.10",\s
                  "port": 8888,\s
                  "weight": 1,\s
                  "healthy": false,\s
                  "enabled": true,\s
                  "ephemeral": false,\s
                  "clusterName": "DEFAULT",\s
                  "serviceName": "DEFAULT_GROUP@@nacos.test.1",\s
                  "metadata": { },\s
                  "instanceHeartBeatInterval": 5000,\s
                  "instanceIdGenerator": "simple",\s
                  "instanceHeartBeatTimeOut": 15000,\s
                  "ipDeleteTimeout": 30000
                }
              ],\s
              "lastRefTime": 1528787794594,\s
              "checksum": "",\s
              "allIPs": false,\s
              "reachProtectionThreshold": false,\s
              "valid": true
            }
            """;

    /**
     * nacos.io, "Open API Guide" for 2.X (docs/v2/guide/user/open-api, section 2.5 "Query instances", Response
     * Example): {@code GET /nacos/v2/ns/instance/list?serviceName=test_service&ip=127.0.0.1}.
     */
    static final String V2_LIST = """
            {
            	"code": 0,
            	"message": "success",
            	"data": {
            		"name": "DEFAULT_GROUP@@test_service",
            		"groupName": "DEFAULT_GROUP",
            		"clusters": "",
            		"cacheMillis": 10000,
            		"hosts": [
            			{
            				"ip": "127.0.0.1",
            				"port": 8080,
            				"weight": 1.0,
            				"healthy": true,
            				"enabled": true,
            				"ephemeral": true,
            				"clusterName": "DEFAULT",
            				"serviceName": "DEFAULT_GROUP@@test_service",
            				"metadata": {
            					"value": "1"
            				},
            				"instanceHeartBeatTimeOut": 15000,
            				"ipDeleteTimeout": 30000,
            				"instanceHeartBeatInterval": 5000
            			}
            		],
            		"lastRefTime": 1662554390814,
            		"checksum": "",
            		"allIPs": false,
            		"reachProtectionThreshold": false,
            		"valid": true
            	}
            }
            """;

    /**
     * nacos.io, "Client API" for 3.X (docs/latest/manual/user/open-api, section 2.3 "List Instances of a Service",
     * Response example): {@code GET /nacos/v3/client/ns/instance/list?serviceName=test1}.
     */
    static final String V3_LIST = """
            {
              "code": 0,
              "message": "success",
              "data": [
                {
                  "ip": "127.0.0.1",
                  "port": 3306,
                  "weight": 1.0,
                  "healthy": true,
                  "enabled": true,
                  "ephemeral": true,
                  "clusterName": "DEFAULT",
                  "serviceName": "DEFAULT_GROUP@@test1",
                  "metadata": {},
                  "ipDeleteTimeout": 30000,
                  "instanceIdGenerator": "simple",
                  "instanceHeartBeatInterval": 5000,
                  "instanceHeartBeatTimeOut": 15000
                }
              ]
            }
            """;

    /**
     * nacos.io, "Authorization" (docs/v2/guide/user/auth and the 3.X user manual's auth page): the answer to
     * {@code POST /nacos/v1/auth/login -d 'username=nacos&password=nacos'}.
     */
    static final String LOGIN = "{\"accessToken\":\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJuYWNvcyIsImV4cCI6MTYwNTYyOTE2Nn0"
            + ".2TogGhhr11_vLEjqKko1HJHUJEmsPuCxkur-CfNojDo\",\"tokenTtl\":18000,\"globalAdmin\":true}";

    private NacosDocBodies() {
    }
}
