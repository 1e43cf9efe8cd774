package io.smtpprotocol.demo;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the demo application.
 *
 * @param maildir the Maildir folder that accepted messages are delivered into
 * @param domains the domains whose recipients are accepted (the server is given them as {@code
 *     smtp.server.accepted-domains})
 * @param users the users that may authenticate, name to password
 */
@ConfigurationProperties("demo")
public record DemoProperties(
    @DefaultValue("./data/maildir") Path maildir,
    @DefaultValue({"localhost", "example.com"}) List<String> domains,
    // null when unset: the constructor puts the default in
    Map<String, String> users) {

  public DemoProperties {
    domains = domains.stream().map(String::strip).filter(d -> !d.isEmpty()).toList();
    users = users == null || users.isEmpty() ? Map.of("demo", "demo") : Map.copyOf(users);
  }
}
