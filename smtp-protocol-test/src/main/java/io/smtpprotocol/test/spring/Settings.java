package io.smtpprotocol.test.spring;

import io.smtpprotocol.test.SmtpTestServer;
import io.smtpprotocol.tls.TlsMode;
import java.util.List;

/**
 * The values of one {@link AutoConfigureSmtpTestServer}, as a value: equal values share a cached
 * context.
 *
 * @param users {@code name:password} entries, in order
 */
record Settings(TlsMode tls, List<String> users, boolean authRequired, int maxMessages) {

  Settings {
    users = List.copyOf(users);
    for (String entry : users) {
      if (entry.indexOf(':') <= 0) {
        throw new IllegalArgumentException(
            "@AutoConfigureSmtpTestServer users must be name:password, got " + entry);
      }
    }
  }

  static Settings of(AutoConfigureSmtpTestServer annotation) {
    return new Settings(
        annotation.tls(),
        List.of(annotation.users()),
        annotation.authRequired(),
        annotation.maxMessages());
  }

  static String name(String entry) {
    return entry.substring(0, entry.indexOf(':'));
  }

  static String password(String entry) {
    return entry.substring(entry.indexOf(':') + 1);
  }

  SmtpTestServer build() {
    SmtpTestServer.Builder builder =
        SmtpTestServer.builder().tls(tls).authRequired(authRequired).maxMessages(maxMessages);
    for (String entry : users) {
      builder.user(name(entry), password(entry));
    }
    return builder.build();
  }
}
