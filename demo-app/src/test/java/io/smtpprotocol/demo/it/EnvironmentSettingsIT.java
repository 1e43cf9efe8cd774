package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo configured the usual Spring way, through environment variables: ports, domains, users,
 * AUTH required and allowed without TLS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentSettingsIT {

  private DemoApp app;

  @BeforeAll
  void start() throws IOException {
    app =
        DemoApp.start(
            Map.of(
                "SMTP_SERVER_PORT", "" + DemoApp.freePort(),
                "SERVER_PORT", "" + DemoApp.freePort(),
                "SMTP_SERVER_AUTH_REQUIRED", "true",
                "SMTP_SERVER_AUTH_ALLOW_INSECURE", "true",
                "DEMO_DOMAINS", "other.test",
                "DEMO_USERS_ALICE", "s3cret"));
  }

  @AfterAll
  void stop() throws IOException {
    if (app != null) {
      app.close();
    }
  }

  private String python(String script) throws IOException {
    Tools.assumeInstalled("python3");
    Tools.Result result =
        Tools.python(
            "import smtplib, sys\nport = int(sys.argv[1])\n" + script, "" + app.smtpPort());
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }

  @Test
  void portsComeFromTheEnvironment() throws IOException {
    assertThat(app.get("/actuator/health").statusCode()).isEqualTo(200);
    assertThat(python("s = smtplib.SMTP('127.0.0.1', port)\nprint('EHLO', s.ehlo()[0])\ns.quit()"))
        .contains("EHLO 250");
  }

  @Test
  void mailBeforeAuthIsRefusedWith530() throws IOException {
    String out =
        python(
            """
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo("client.example.org")
            print("MAIL", *s.mail("alice@example.org"))
            s.quit()
            """);

    assertThat(out).containsPattern("MAIL 530 b'5\\.7\\.0 ");
  }

  @Test
  void usersAndDomainsComeFromTheEnvironment() throws IOException {
    String out =
        python(
            """
            s = smtplib.SMTP("127.0.0.1", port)
            code, ehlo = s.ehlo("client.example.org")
            print("AUTH-ADVERTISED", "AUTH PLAIN LOGIN" in ehlo.decode())
            try:
                s.login("demo", "demo")
                print("DEMO ok")
            except smtplib.SMTPAuthenticationError as e:
                print("DEMO", e.smtp_code)
            s.login("alice", "s3cret")
            print("ALICE ok")
            s.mail("alice@example.org")
            print("OTHER", s.rcpt("bob@other.test")[0])
            print("EXAMPLE", s.rcpt("bob@example.com")[0])
            code, reply = s.data(b"Subject: env\\r\\n\\r\\nx\\r\\n")
            print("DATA", code)
            s.quit()
            """);

    assertThat(out)
        .contains("AUTH-ADVERTISED True")
        .contains("DEMO 535")
        .contains("ALICE ok")
        .contains("OTHER 250")
        .contains("EXAMPLE 550")
        .contains("DATA 250");
  }
}
