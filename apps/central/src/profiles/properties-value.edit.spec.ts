import { PropertiesDocument } from '../../../../libs/properties/index.js';
import { setPropertyValue } from './properties-value.edit.js';

const set = (text: string, key: string, value: string) =>
  setPropertyValue(PropertiesDocument.parse(text), key, value);

describe('setPropertyValue', () => {
  it('writes = and : unescaped in a value, keeping the line style and everything else', () => {
    const text = '# c\njetty.jvm.args = -Da=1\r\nother=x\n';
    expect(set(text, 'jetty.jvm.args', '-Db=2 -Dc=host:1')).toBe(
      '# c\njetty.jvm.args = -Db=2 -Dc=host:1\r\nother=x\n',
    );
  });

  it('changes the effective (last) line of a duplicated key', () => {
    expect(set('k=1\nk=2\n', 'k', '3')).toBe('k=1\nk=3\n');
  });

  it('appends a missing key as key=value, adding the line break a last line lacks', () => {
    expect(set('a=1', 'b', 'x=y')).toBe('a=1\nb=x=y\n');
  });

  it('falls back to escaped writing when the value needs it or the line is continued', () => {
    expect(set('k=1\n', 'k', 'back\\slash')).toBe('k=back\\\\slash\n');
    expect(set('k=a\\\n  b\n', 'k', 'c')).toBe('k=c\n');
    expect(PropertiesDocument.parse(set('k=1\n', 'k', ' lead')).get('k')).toBe(' lead');
  });
});
