package io.smtpprotocol.demo;

import io.smtpprotocol.demo.maildir.MaildirStore;
import java.io.IOException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.json.JsonMapper;

/** Receives mail over SMTP into a Maildir and shows it over HTTP. */
@SpringBootApplication(proxyBeanMethods = false)
@EnableConfigurationProperties(DemoProperties.class)
public class DemoApplication {

  @Bean
  MaildirStore maildirStore(DemoProperties properties, JsonMapper json) throws IOException {
    return new MaildirStore(properties.maildir(), json);
  }

  public static void main(String[] args) {
    SpringApplication.run(DemoApplication.class, args);
  }
}
