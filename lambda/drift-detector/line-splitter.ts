/**
 * Splits a stream into lines as node:readline does, synchronously and chunk by chunk: the line splitter of every
 * reader of capture and ground-truth files.
 */
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * Hands the lines of `input` to `onLine`, exactly the lines node:readline (`crlfDelay: Infinity`) emits: the same
 * UTF-8 decoder, line-ending rule (\r\n, \n or a lone \r; a \r\n split across chunks is one ending) and end of
 * input (a last line without ending is emitted if not empty), transcribed from Node's Interface[kNormalWrite] and
 * its 'end' handler. Lines are handed over synchronously, chunk by chunk, instead of one promise per line through
 * readline's async iterator. Rejects if the stream fails.
 */
export async function forEachLine(input: Readable, onLine: (line: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  const lineEnding = /\r?\n|\r(?!\n)/g;
  let buffer: string | null = null;
  let sawReturn = false;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let text = decoder.write(chunk as Buffer);
    if (sawReturn) {
      if (text.codePointAt(0) === 10) text = text.slice(1);
      sawReturn = false;
    }
    if (text.indexOf('\r') < 0) {
      // No \r in this chunk (nor in `buffer`, which never holds a line ending): every ending is a plain \n, so
      // indexOf finds exactly what lineEnding would, and sawReturn stays false.
      let end = text.indexOf('\n');
      if (end < 0) {
        if (text) buffer = buffer ? buffer + text : text;
        continue;
      }
      if (buffer) {
        end += buffer.length;
        text = buffer + text;
        buffer = null;
      }
      let start = 0;
      while (end >= 0) {
        onLine(text.slice(start, end));
        start = end + 1;
        end = text.indexOf('\n', start);
      }
      buffer = text.slice(start);
      continue;
    }
    lineEnding.lastIndex = 0;
    let match = lineEnding.exec(text);
    if (match !== null) {
      if (buffer) {
        text = buffer + text;
        buffer = null;
        lineEnding.lastIndex = 0;
        match = lineEnding.exec(text) as RegExpExecArray;
      }
      sawReturn = text.endsWith('\r');
      let start = 0;
      while (match !== null) {
        onLine(text.slice(start, match.index));
        start = lineEnding.lastIndex;
        match = lineEnding.exec(text);
      }
      buffer = text.slice(start);
    } else if (text) buffer = buffer ? buffer + text : text;
  }
  if (typeof buffer === 'string' && buffer.length > 0) onLine(buffer);
}
