/**
 * The two GLSL programs every plot shares, compiled once per GL context.
 *
 * Positions arrive as [x_hi, y_hi] and [x_lo, y_lo] relative to a per-buffer origin (see
 * precision.ts); u_viewHi/u_viewLo are the view's start minus that origin, split the same way.
 * The subtraction is written hi-minus-hi then lo-minus-lo on purpose: that order is what keeps
 * it exact, so do not "simplify" it.
 */

const POSITION = /* glsl */ `
in vec2 a_hi;
in vec2 a_lo;
uniform vec2 u_viewHi;
uniform vec2 u_viewLo;
uniform vec2 u_scale; // clip units per data unit (2 / view span)
vec4 position() {
  vec2 d = (a_hi - u_viewHi) + (a_lo - u_viewLo);
  return vec4(d * u_scale - 1.0, 0.0, 1.0);
}
`;

export const LINE_VS = /* glsl */ `#version 300 es
precision highp float;
${POSITION}
void main() { gl_Position = position(); }
`;

export const LINE_FS = /* glsl */ `#version 300 es
precision mediump float;
uniform vec4 u_color; // premultiplied
out vec4 outColor;
void main() { outColor = u_color; }
`;

export const POINT_VS = /* glsl */ `#version 300 es
precision highp float;
${POSITION}
in float a_color;  // a numeric color value, or a category index
in float a_size;   // a numeric size value
uniform int u_colorMode;      // 0: one color, 1: continuous, 2: category cycles palette, 3: category spread over palette
uniform vec2 u_colorRange;    // min, max of the color value (mode 1) or 0, count-1 (mode 3)
uniform vec4 u_color;         // mode 0
uniform sampler2D u_palette;  // 256 x 1 continuous, or N x 1 categorical
uniform int u_paletteSize;
uniform vec3 u_size;          // size min, size max (value range), 0 when no size field
uniform vec2 u_sizePx;        // pixel size range, times the device pixel ratio
out vec4 v_color;
void main() {
  gl_Position = position();
  if (u_colorMode == 0) {
    v_color = u_color;
  } else if (u_colorMode == 2) {
    int i = int(a_color) % u_paletteSize;
    v_color = texelFetch(u_palette, ivec2(i, 0), 0);
  } else {
    float span = u_colorRange.y - u_colorRange.x;
    float t = span > 0.0 ? clamp((a_color - u_colorRange.x) / span, 0.0, 1.0) : 0.5;
    v_color = texture(u_palette, vec2((t * 255.0 + 0.5) / 256.0, 0.5));
  }
  v_color.rgb *= v_color.a;
  float s = u_sizePx.x;
  if (u_size.z > 0.0) {
    float span = u_size.y - u_size.x;
    float t = span > 0.0 ? clamp((a_size - u_size.x) / span, 0.0, 1.0) : 0.5;
    s = mix(u_sizePx.x, u_sizePx.y, sqrt(t)); // area, not radius, follows the value
  }
  gl_PointSize = s;
}
`;

export const POINT_FS = /* glsl */ `#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 outColor;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(c, c);
  if (r2 > 1.0) discard;
  outColor = v_color * 0.85;
}
`;

export interface Program {
  program: WebGLProgram;
  attrib: Record<string, number>;
  uniform: Record<string, WebGLUniformLocation | null>;
}

function compile(gl: WebGL2RenderingContext, type: number, src: string): WebGLShader {
  const s = gl.createShader(type);
  if (!s) throw new Error('WebGL: cannot create a shader');
  gl.shaderSource(s, src);
  gl.compileShader(s);
  if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) {
    throw new Error(`WebGL shader: ${gl.getShaderInfoLog(s) ?? 'compile error'}`);
  }
  return s;
}

export function link(gl: WebGL2RenderingContext, vs: string, fs: string, attribs: string[], uniforms: string[]): Program {
  const program = gl.createProgram();
  if (!program) throw new Error('WebGL: cannot create a program');
  gl.attachShader(program, compile(gl, gl.VERTEX_SHADER, vs));
  gl.attachShader(program, compile(gl, gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(program);
  if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost()) {
    throw new Error(`WebGL program: ${gl.getProgramInfoLog(program) ?? 'link error'}`);
  }
  const attrib: Record<string, number> = {};
  for (const a of attribs) attrib[a] = gl.getAttribLocation(program, a);
  const uniform: Record<string, WebGLUniformLocation | null> = {};
  for (const u of uniforms) uniform[u] = gl.getUniformLocation(program, u);
  return { program, attrib, uniform };
}
