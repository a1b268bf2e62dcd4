/**
 * A vertex buffer and the vertex array that reads it: interleaved float32 attributes of one
 * program, made anew whenever the GL context was (lost and) restored. Every GPU layer
 * (layers.ts, layers3d.ts) keeps its data in these.
 */
import type { Program } from './shaders';
import type { GlResources } from './sharedGl';

/** An attribute of the interleaved vertex: its name in the program, float count and byte offset. */
export type Attrib = readonly [name: string, size: number, offset: number];

export class VertexBuffer {
  vbo: WebGLBuffer | null = null;
  vao: WebGLVertexArrayObject | null = null;
  generation = -1;

  /**
   * Makes the buffer and points `attribs` of `program` at it (`stride` bytes a vertex),
   * when the context is new to it. True when it was made: whatever it held is gone.
   */
  ensure(res: GlResources, program: Program, stride: number, attribs: readonly Attrib[]): boolean {
    if (this.generation === res.generation) return false;
    const gl = res.gl;
    this.vbo = gl.createBuffer();
    this.vao = gl.createVertexArray();
    this.generation = res.generation;
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    for (const [name, size, offset] of attribs) {
      const loc = program.attrib[name] as number;
      if (loc < 0) continue; // optimized away by the compiler
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, gl.FLOAT, false, stride, offset);
    }
    gl.bindVertexArray(null);
    return true;
  }

  /** Replaces the whole contents (STATIC_DRAW for data kept across frames, STREAM_DRAW for one frame's). */
  upload(gl: WebGL2RenderingContext, data: Float32Array, usage: number): void {
    gl.bindBuffer(gl.ARRAY_BUFFER, this.vbo);
    gl.bufferData(gl.ARRAY_BUFFER, data, usage);
  }

  dispose(gl: WebGL2RenderingContext): void {
    gl.deleteBuffer(this.vbo);
    gl.deleteVertexArray(this.vao);
    this.vbo = null;
    this.vao = null;
    this.generation = -1;
  }
}
