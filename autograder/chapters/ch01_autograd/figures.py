"""Figures of chapter 1 (autograd)."""

from matplotlib.figure import Figure

from autograder.runtime.figures import ACCENT, EDGE, WIDTH, WINDOW, array, board, drawing, grid


@drawing
def derivative(x, y, grad, exact) -> Figure:
    """A function, the gradient autograd returns at sample points, and the exact derivative."""
    x, y, grad, exact = map(array, (x, y, grad, exact))
    fig = Figure(figsize=(WIDTH, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.plot(x, y, color="#4e79a7", label="$f(x)$")
    ax.plot(x, exact, color=ACCENT, label="exact $f'(x)$")
    ax.plot(x[::4], grad[::4], "o", color="black", ms=4, label="x.grad from autograd")
    ax.set_xlabel("$x$")
    ax.legend(loc="upper center", ncols=3)
    return fig


@drawing
def vector_jacobian(v, J, result) -> Figure:
    """``v^T J`` as a weighted sum of the Jacobian's rows, each row next to its weight."""
    v, J, result = array(v).ravel(), array(J), array(result).ravel()
    m, n = J.shape
    fig = Figure(figsize=(0.55 * (n + 3.9), 0.55 * (m + 2.9)), layout="constrained")
    ax = fig.subplots()
    grid(ax, v[:, None], label="$v$")
    grid(ax, J, x0=2, label="Jacobian $J$")
    for i in range(m):
        ax.text(1.5, i + 0.5, "×", ha="center", va="center", fontsize=14)
    ax.plot([1.6, n + 2.4], [m + 0.3, m + 0.3], color=EDGE, lw=1.5)
    ax.text(1.2, m + 1.0, r"$\sum_i$", ha="center", va="center", fontsize=12)
    grid(ax, result[None, :], x0=2, y0=m + 0.5, fill={(0, j): WINDOW for j in range(n)})
    ax.text(n + 2.2, m + 1.0, r"$= v^\top J$", ha="left", va="center")
    board(ax, n + 3.5, m + 1.5)
    return fig
