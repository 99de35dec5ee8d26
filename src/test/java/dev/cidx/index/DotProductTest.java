package dev.cidx.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DotProductTest {
  private static double exact(float[] a, int from, float[] b) {
    double sum = 0;
    for (int i = 0; i < b.length; i++) {
      sum += (double) a[from + i] * b[i];
    }
    return sum;
  }

  private static float[] random(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  @Test
  void of_matchesTheExactSum_forEveryLengthAroundTheUnrolling() {
    Random r = new Random(7);
    for (int n = 0; n <= 40; n++) {
      float[] a = random(r, n);
      float[] b = random(r, n);
      assertThat((double) DotProduct.of(a, b)).as("length %d", n).isCloseTo(exact(a, 0, b), Offset.offset(1e-4));
    }
    float[] a = random(r, 384);
    float[] b = random(r, 384);
    assertThat((double) DotProduct.of(a, b)).isCloseTo(exact(a, 0, b), Offset.offset(1e-3));
  }

  @Test
  void of_readsARowOfALargerArrayFromItsOffset() {
    Random r = new Random(8);
    float[] rows = random(r, 3 * 13);
    float[] query = random(r, 13);
    for (int row = 0; row < 3; row++) {
      assertThat((double) DotProduct.of(rows, row * 13, query)).isCloseTo(exact(rows, row * 13, query),
          Offset.offset(1e-4));
    }
  }

  @Test
  void unitVectorDistance_isOneMinusTheDotProduct() {
    float[] u = {0.6f, 0.8f, 0f};
    float[] v = {0f, 1f, 0f};
    assertThat(new DotProduct.UnitVectorDistance().distance(u, v)).isCloseTo(0.2f, Offset.offset(1e-6f));
    assertThat(new DotProduct.UnitVectorDistance().distance(u, u)).isCloseTo(0f, Offset.offset(1e-6f));
  }
}
