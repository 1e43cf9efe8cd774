package io.smtpprotocol.test.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.test.SmtpTestServer;
import io.smtpprotocol.tls.TlsMode;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.env.Environment;

/** The annotation points the project's own client ({@code smtp.client.*}) at the server too. */
@SpringBootTest(classes = ClientPropertiesTests.Empty.class)
@AutoConfigureSmtpTestServer(tls = TlsMode.IMPLICIT, users = "alice:secret")
class ClientPropertiesTests {

  @SpringBootConfiguration
  static class Empty {}

  @Autowired SmtpTestServer smtp;
  @Autowired Environment environment;

  @Test
  void clientPropertiesNameTheServerItsTlsAndItsUser() {
    assertThat(environment.getProperty("smtp.client.host")).isEqualTo(smtp.host());
    assertThat(environment.getProperty("smtp.client.port", Integer.class)).isEqualTo(smtp.port());
    assertThat(environment.getProperty("smtp.client.ssl.mode")).isEqualTo("implicit");
    assertThat(environment.getProperty("smtp.client.ssl.bundle")).isEqualTo("smtp-test-server");
    assertThat(
            environment.getProperty(
                "spring.ssl.bundle.pem.smtp-test-server.truststore.certificate"))
        .isEqualTo(smtp.trustedCertificatePem());
    assertThat(environment.getProperty("smtp.client.username")).isEqualTo("alice");
    assertThat(environment.getProperty("smtp.client.password")).isEqualTo("secret");
  }
}
