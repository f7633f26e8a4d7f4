import { expect } from '@open-wc/testing';
import { CountdownController, isAnnouncementPoint } from '../../src/controllers/countdown.js';
import { FakeClock } from './helpers/fake-clock.js';
import { FakeHost } from './helpers/fake-host.js';

const Host = FakeHost;

function setup(onExpire = (): void => {}) {
  const host = new Host();
  const clock = new FakeClock();
  const countdown = new CountdownController(host, { clock, onExpire });
  host.connect();
  return { host, clock, countdown };
}

describe('countdown controller', () => {
  it('announces each minute, every 15 s in the last minute and at 10 s', () => {
    const { clock, countdown } = setup();
    countdown.start(185, 300);
    const heard: number[] = [countdown.announced!];
    let seen = countdown.announcements;
    for (let i = 0; i < 185; i++) {
      clock.tick(1000);
      if (countdown.announcements !== seen) {
        seen = countdown.announcements;
        heard.push(countdown.announced!);
      }
    }
    expect(heard).to.deep.equal([185, 180, 120, 60, 45, 30, 15, 10]);
  });

  it('counts whole seconds from the server’s remaining time, not the device clock', () => {
    const { clock, countdown } = setup();
    countdown.start(90, 300);
    expect(countdown.remaining).to.equal(90);
    expect(countdown.total).to.equal(300);
    clock.tick(999);
    expect(countdown.remaining).to.equal(90);
    clock.tick(1);
    expect(countdown.remaining).to.equal(89);
    expect(countdown.fraction).to.be.closeTo(89 / 300, 1e-9);
  });

  it('expires once at zero and stops ticking', () => {
    let expired = 0;
    const { clock, countdown } = setup(() => expired++);
    countdown.start(3);
    clock.tick(2999);
    expect(expired).to.equal(0);
    clock.tick(1);
    expect(expired).to.equal(1);
    expect(countdown.remaining).to.equal(0);
    expect(countdown.running).to.equal(false);
    clock.tick(10000);
    expect(expired).to.equal(1);
    expect(clock.pending).to.equal(0);
  });

  it('catches up after late ticks (a background tab) and still announces the crossed point', () => {
    const { clock, countdown } = setup();
    countdown.start(200);
    const before = countdown.announcements;
    clock.tick(0);
    // Pretend the tab slept: jump the clock without running the per-second timers.
    (clock as unknown as { time: number }).time += 75_000;
    clock.tick(1);
    expect(countdown.remaining).to.equal(125);
    expect(countdown.announcements).to.equal(before + 1);
  });

  it('holds no timer while its host is detached, and resumes from the deadline', () => {
    const { host, clock, countdown } = setup();
    countdown.start(30);
    host.disconnect();
    expect(clock.pending).to.equal(0);
    clock.tick(5000);
    host.connect();
    expect(countdown.remaining).to.equal(25);
    expect(clock.pending).to.equal(1);
  });

  it('stop() ends the countdown without expiring', () => {
    let expired = 0;
    const { clock, countdown } = setup(() => expired++);
    countdown.start(5);
    countdown.stop();
    clock.tick(10000);
    expect(expired).to.equal(0);
    expect(clock.pending).to.equal(0);
  });

  it('knows its cadence points', () => {
    const points = Array.from({ length: 301 }, (_, s) => s).filter(isAnnouncementPoint);
    expect(points).to.deep.equal([10, 15, 30, 45, 60, 120, 180, 240, 300]);
  });
});
