package io.smtpprotocol.spring.app;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A minimal application built on the starter: its {@link Mailroom} answers SMTP. */
@SpringBootApplication
public class InboundMailApplication {

  public static void main(String[] args) {
    SpringApplication.run(InboundMailApplication.class, args);
  }
}
