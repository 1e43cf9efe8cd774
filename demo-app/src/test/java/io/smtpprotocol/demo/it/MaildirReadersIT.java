package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The folder the demo writes is a Maildir that ordinary mail readers open. */
@ExtendWith(SharedDemoApp.class)
class MaildirReadersIT {

  @Test
  void pythonMailboxReadsTheMessages(DemoApp app) throws IOException {
    String tag = UUID.randomUUID().toString();
    String id =
        Smtplib.send(app, "alice@example.org", "bob@example.com", "python " + tag, "hello there");

    Tools.Result result =
        Tools.python(
            """
            import mailbox, sys
            box = mailbox.Maildir(sys.argv[1], create=False)
            m = box.get_message(sys.argv[2])
            print("SUBJECT", m["subject"])
            print("SUBDIR", m.get_subdir())
            print("BODY", m.get_payload().strip())
            print("KEYS", sys.argv[2] in box.keys())
            """,
            app.maildir().toString(),
            id);

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("SUBJECT python " + tag)
        .contains("SUBDIR new")
        .contains("BODY hello there")
        .contains("KEYS True");
  }

  @Test
  void muttListsAndOpensTheMessage(DemoApp app) throws IOException {
    Tools.assumeInstalled("mutt");
    Tools.assumeInstalled("tmux");
    String tag = UUID.randomUUID().toString().substring(0, 8);
    String subject = "mutt " + tag;
    Smtplib.send(app, "alice@example.org", "bob@example.com", subject, "read me in mutt");
    String socket = "demo-it-" + ProcessHandle.current().pid();
    List<String> tmux = List.of("tmux", "-L", socket, "-f", "/dev/null");
    try {
      Tools.Result started =
          Tools.run(
              concat(
                  tmux,
                  "new-session",
                  "-d",
                  "-x",
                  "160",
                  "-y",
                  "40",
                  "mutt -n -F /dev/null -e 'set folder="
                      + app.maildir()
                      + "' -R -f "
                      + app.maildir()));
      assertThat(started.exitCode()).as(started.output()).isZero();

      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () ->
                  assertThat(Tools.run(concat(tmux, "capture-pane", "-p")).output())
                      .contains(subject));
      // search for the message (the folder may hold others), then open it
      Tools.run(concat(tmux, "send-keys", "/"));
      Tools.run(concat(tmux, "send-keys", "-l", tag));
      Tools.run(concat(tmux, "send-keys", "Enter", "Enter"));
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(300))
          .untilAsserted(
              () ->
                  assertThat(Tools.run(concat(tmux, "capture-pane", "-p")).output())
                      .contains("Subject: " + subject)
                      .contains("read me in mutt"));
    } finally {
      Tools.run(concat(tmux, "kill-server"));
    }
  }

  private static List<String> concat(List<String> head, String... tail) {
    List<String> all = new java.util.ArrayList<>(head);
    all.addAll(List.of(tail));
    return all;
  }
}
