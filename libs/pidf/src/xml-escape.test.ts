import { describe, expect, it } from 'vitest';
import { escapeAttribute, escapeText } from './xml-escape.js';

describe('pidf xml escape', () => {
  it('pidf xml escape - escapes markup characters in text', () => {
    expect(escapeText('<a href="x">&</a>')).toBe('&lt;a href="x"&gt;&amp;&lt;/a&gt;');
  });

  it('pidf xml escape - keeps tab and newline in text but not CR', () => {
    expect(escapeText('a\tb\nc\rd')).toBe('a\tb\nc&#13;d');
  });

  it('pidf xml escape - escapes quotes and whitespace in attributes', () => {
    expect(escapeAttribute('"a"\tb\nc\rd')).toBe('&quot;a&quot;&#9;b&#10;c&#13;d');
  });

  it('pidf xml escape - replaces characters XML 1.0 cannot carry', () => {
    expect(escapeText('\u0000\u001f\uFFFE\uD800x\uDC00')).toBe('\uFFFD\uFFFD\uFFFD\uFFFDx\uFFFD');
    expect(escapeText('😀')).toBe('😀');
    expect(escapeAttribute('\u007f')).toBe('&#127;');
  });

  it('pidf xml escape - returns plain text unchanged', () => {
    expect(escapeText('plain text é 東京')).toBe('plain text é 東京');
  });
});
