package io.smtpprotocol.server;

import static io.smtpprotocol.server.TestAuthenticator.PASSWORD;
import static io.smtpprotocol.server.TestAuthenticator.TOKEN;
import static io.smtpprotocol.server.TestAuthenticator.USER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Jakarta Mail (Angus Mail) with STARTTLS, implicit TLS ("smtps") and AUTH. */
class JakartaMailTlsTests {

  private static final TestPki pki = TestPki.get();

  private final RecordingHandler handler = new RecordingHandler();
  private final RecordingObserver observer = new RecordingObserver();
  @AutoClose private SmtpServer server;

  private void start(TlsMode mode) {
    server = TestServers.startTlsWithAuth(handler, observer, mode, pki.serverContext());
  }

  private Session session(String protocol, String mechanism) {
    String p = "mail." + protocol + ".";
    Properties props = new Properties();
    props.put(p + "host", "localhost");
    props.put(p + "port", String.valueOf(server.port()));
    props.put(p + "auth", "true");
    props.put(p + "auth.mechanisms", mechanism);
    props.put(p + "auth.xoauth2.disable", "false");
    props.put(p + "ssl.socketFactory", pki.clientContext().getSocketFactory());
    props.put(p + "ssl.checkserveridentity", "true");
    props.put(p + "connectiontimeout", "10000");
    props.put(p + "timeout", "10000");
    if (protocol.equals("smtp")) {
      props.put(p + "starttls.enable", "true");
      props.put(p + "starttls.required", "true");
    }
    return Session.getInstance(props);
  }

  private static MimeMessage message(Session session) throws Exception {
    MimeMessage msg = new MimeMessage(session);
    msg.setFrom(new InternetAddress("alice@example.com"));
    msg.setRecipients(Message.RecipientType.TO, "bob@example.com");
    msg.setSubject("over TLS");
    msg.setText("hello\n");
    return msg;
  }

  private static void send(Session session, String protocol, String secret) throws Exception {
    try (Transport transport = session.getTransport(protocol)) {
      transport.connect(USER, secret);
      MimeMessage msg = message(session);
      transport.sendMessage(msg, msg.getAllRecipients());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN", "XOAUTH2"})
  void startTlsAndAuthDeliverAsTheUser(String mechanism) throws Exception {
    start(TlsMode.STARTTLS);
    send(session("smtp", mechanism), "smtp", mechanism.equals("XOAUTH2") ? TOKEN : PASSWORD);
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.session().authenticatedUser()).isEqualTo(USER);
    assertThat(m.session().tls().protocol()).isEqualTo("TLSv1.3");
    assertThat(m.text()).contains("Subject: over TLS").endsWith("hello\r\n");
    assertThat(observer.events).containsExactly("tls:true", "auth:" + mechanism + ":true");
  }

  @Test
  void wrongPasswordIsAnAuthenticationFailure() {
    start(TlsMode.STARTTLS);
    assertThatThrownBy(() -> send(session("smtp", "PLAIN"), "smtp", "wrong"))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("535 5.7.8");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void smtpsSpeaksImplicitTls() throws Exception {
    start(TlsMode.IMPLICIT);
    send(session("smtps", "PLAIN"), "smtps", PASSWORD);
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.session().authenticatedUser()).isEqualTo(USER);
    assertThat(m.session().isTls()).isTrue();
  }
}
