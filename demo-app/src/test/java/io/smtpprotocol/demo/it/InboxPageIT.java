package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.Requirements;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The inbox page in a real browser (the system's Chromium and its driver from the PATH, or {@code
 * -Dtool.chromium} and {@code -Dtool.chromedriver}; nothing downloaded): a mail sent over SMTP
 * appears by itself, and opens with its headers and text; the page's Content-Security-Policy is
 * enforced and the page never violates it.
 */
@ExtendWith(SharedDemoApp.class)
class InboxPageIT {

  /**
   * Runs before any script of every page the browser opens (injected through the DevTools protocol,
   * so the page's policy does not apply to it): records each policy violation.
   */
  private static final String RECORD_VIOLATIONS =
      """
      window.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(
          e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber));
      """;

  private ChromeDriver browser;

  @BeforeEach
  void openBrowser() {
    File chromedriver = Requirements.tool("chromedriver").toFile();
    File chromium = Requirements.tool("chromium").toFile();
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver)
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-sync",
        "--no-first-run",
        "--metrics-recording-only",
        "--window-size=1280,900");
    browser = new ChromeDriver(service, options);
    browser.executeCdpCommand(
        "Page.addScriptToEvaluateOnNewDocument", Map.of("source", RECORD_VIOLATIONS));
  }

  /** The policy violations the current page reported so far. */
  private List<?> violations() {
    Object violations = browser.executeScript("return window.cspViolations;");
    assertThat(violations).as("the violation recorder runs on the page").isInstanceOf(List.class);
    return (List<?>) violations;
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void aSentMailAppearsByItselfAndOpensWithHeadersAndText(DemoApp app) throws IOException {
    browser.get(app.baseUrl() + "/");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#messages tbody")));
    String subject =
        "browser <img src=x onerror=alert(1)> " + UUID.randomUUID().toString().substring(0, 8);

    Smtplib.send(
        app, "alice@example.org", "bob@example.com", subject, "Hello, browser.\nSecond line.");

    By row =
        By.xpath(
            "//table[@id='messages']/tbody/tr[td[@class='subject'][. = '"
                + subject.replace("'", "")
                + "']]");
    WebElement found = wait.until(ExpectedConditions.elementToBeClickable(row));
    WebElement first = browser.findElement(By.cssSelector("#messages tbody tr"));
    assertThat(first.findElement(By.cssSelector("td.subject")).getText()).isEqualTo(subject);
    assertThat(found.findElement(By.cssSelector("td.from")).getText())
        .isEqualTo("alice@example.org");
    assertThat(browser.findElements(By.cssSelector("#messages img"))).isEmpty();

    found.click();

    wait.until(
        ExpectedConditions.textToBePresentInElementLocated(By.id("body"), "Hello, browser."));
    assertThat(browser.findElement(By.id("subject")).getText()).isEqualTo(subject);
    assertThat(browser.findElement(By.id("body")).getText())
        .contains("Hello, browser.\nSecond line.");
    String headers =
        (String) browser.executeScript("return document.querySelector('#headers').textContent;");
    assertThat(headers)
        .contains("Subject")
        .contains(subject)
        .contains("From")
        .contains("alice@example.org");
    WebElement rawLink = browser.findElement(By.id("raw-link"));
    assertThat(rawLink.getAttribute("href")).endsWith("/raw");
    assertThat(rawLink.getDomAttribute("download")).as("the raw message is a download").isNotNull();
    assertThat(violations()).as("Content-Security-Policy violations").isEmpty();
  }

  @Test
  void thePolicyBlocksInlineScriptsAndStylesOnThePage(DemoApp app) {
    browser.get(app.baseUrl() + "/");
    WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#messages tbody")));
    assertThat(violations()).isEmpty();

    browser.executeScript(
        """
        const script = document.createElement('script');
        script.textContent = 'window.inlineScriptRan = true;';
        document.body.appendChild(script);
        const style = document.createElement('style');
        style.textContent = 'body { display: none; }';
        document.head.appendChild(style);
        """);

    wait.until(driver -> violations().size() >= 2);
    assertThat(browser.executeScript("return window.inlineScriptRan === true;")).isEqualTo(false);
    assertThat(browser.findElement(By.tagName("body")).isDisplayed()).isTrue();
    assertThat(violations())
        .anySatisfy(v -> assertThat(v.toString()).startsWith("script-src").contains("inline"))
        .anySatisfy(v -> assertThat(v.toString()).startsWith("style-src").contains("inline"));
  }
}
